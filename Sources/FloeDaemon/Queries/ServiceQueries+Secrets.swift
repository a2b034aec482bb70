import FloeAPI
import FloeCore
import FloeSpec
import Synchronization

extension ServiceQueries {
    /// The stored secrets, without values.
    public func secretList() -> [StoredSecret] {
        snapshot.secrets.values.sorted { $0.name < $1.name }
    }

    /// Stores a secret; the loop then rolls the services that use it, so they see the new value.
    public func setSecret(_ name: ObjectName, _ update: SecretUpdate) async throws(SecretError) {
        _ = try await writeSecret { () throws(SecretError) -> LoopCommand? in
            .secretSet(try secretStore.set(name, update))
        }
    }

    /// Removes a secret; false when it did not exist. Instances already running keep their copy.
    public func deleteSecret(_ name: ObjectName) async throws(SecretError) -> Bool {
        try await writeSecret { () throws(SecretError) -> LoopCommand? in
            try secretStore.delete(name) ? .secretDeleted(name) : nil
        }
    }

    var secretStore: SecretStore { SecretStore(directory: settings.stateDirectory + "/secrets") }

    /// Writes the store and hands the command to the loop under one lock, so that the loop sees secret
    /// changes in the order the store got them; returns once the loop carried the command out. False
    /// when `write` asked for no command.
    private func writeSecret(_ write: () throws(SecretError) -> LoopCommand?) async throws(SecretError) -> Bool {
        var failure: SecretError?
        var handed = false
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            secretWrites.serialize {
                do throws(SecretError) {
                    if let command = try write() { handed = loop.queue.send(.command(command, done: done)) }
                } catch {
                    failure = error
                }
            }
            if !handed { done.resume() }
        }
        if let failure { throw failure }
        return handed
    }
}

/// Serialises secret writes with the commands that tell the loop of them.
final class SecretWrites: Sendable {
    private let lock = Mutex(())

    /// Runs `body` under the lock.
    func serialize(_ body: () -> Void) {
        lock.withLock { _ in body() }
    }
}

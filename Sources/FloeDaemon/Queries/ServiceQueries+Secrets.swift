import FloeAPI
import FloeCore
import FloeSpec

extension ServiceQueries {
    /// The stored secrets, without values.
    public func secretList() -> [StoredSecret] {
        snapshot.secrets.values.sorted { $0.name < $1.name }
    }

    /// Stores a secret; the loop then rolls the services that use it, so they see the new value.
    public func setSecret(_ name: ObjectName, _ update: SecretUpdate) async throws(SecretError) {
        let secret = try secretStore.set(name, update)
        await loop.command(.secretSet(secret, existed: snapshot.secrets[name] != nil))
    }

    /// Removes a secret; false when it did not exist. Instances already running keep their copy.
    public func deleteSecret(_ name: ObjectName) async throws(SecretError) -> Bool {
        let removed = try secretStore.delete(name)
        if removed { await loop.command(.secretDeleted(name)) }
        return removed
    }

    var secretStore: SecretStore { SecretStore(directory: settings.stateDirectory + "/secrets") }
}

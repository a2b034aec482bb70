import FloeIngress
import Logging
import ServiceLifecycle

/// Keeps the ingress listeners in step with the stage: whenever the stage's version moves, the public
/// endpoints are handed to the ``IngressManager``. Closes them on shutdown.
struct IngressService: Service {
    let queries: ServiceQueries
    let manager: IngressManager

    func run() async throws {
        var seenVersion: Int?
        var seen: [PublicEndpoint]?
        var seenComplete = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let (generation, version, endpoints, complete) = queries.publicEndpoints()
            if version != seenVersion {
                seenVersion = version
                if endpoints != seen || complete != seenComplete {
                    await manager.apply(endpoints, complete: complete)
                    seen = endpoints
                    seenComplete = complete
                }
            }
            // Every change wakes this at once; the timeout is only a safety net.
            // A graceful shutdown ends the wait (the loop then stops).
            await cancelWhenGracefulShutdown {
                await queries.waitForChange(after: generation, timeout: .seconds(30))
            }
        }
        await manager.closeAll()
    }
}

/// The daemon's answer to "which instances serve this endpoint": the latest snapshot's READY
/// instances; a suspended service with autoResume is resumed and waited for.
struct SnapshotBackendSource: IngressBackendSource {
    let queries: ServiceQueries
    let resumeTimeout: Duration

    func resolve(_ route: IngressRoute) async -> IngressResolution {
        await queries.ingressResolution(route, resumeTimeout: resumeTimeout)
    }
}

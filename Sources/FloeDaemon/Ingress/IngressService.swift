import FloeIngress
import Logging
import ServiceLifecycle

/// Keeps the ingress listeners in step with the stage: after every change of the reconciler's
/// world, the public endpoints are handed to the ``IngressManager``. Closes them on shutdown.
struct IngressService: Service {
    let reconciler: Reconciler
    let manager: IngressManager

    func run() async throws {
        var seen: [PublicEndpoint]?
        var seenComplete = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let (generation, endpoints, complete) = await reconciler.publicEndpoints()
            if endpoints != seen || complete != seenComplete {
                await manager.apply(endpoints, complete: complete)
                seen = endpoints
                seenComplete = complete
            }
            // Every change wakes this at once; the timeout is only a safety net (each wake sorts every
            // service's name, which costs at 1,000 services).
            // A graceful shutdown ends the wait (the loop then stops).
            await cancelWhenGracefulShutdown {
                await reconciler.waitForChange(after: generation, timeout: .seconds(30))
            }
        }
        await manager.closeAll()
    }
}

/// The daemon's answer to "which instances serve this endpoint": the reconciler's READY instances;
/// a suspended service with autoResume is resumed and waited for.
struct ReconcilerBackendSource: IngressBackendSource {
    let reconciler: Reconciler
    let resumeTimeout: Duration

    func resolve(_ route: IngressRoute) async -> IngressResolution {
        await reconciler.ingressResolution(route, resumeTimeout: resumeTimeout)
    }
}

import Hummingbird

/// The job routes: `GET /v1/jobs` (SHOW JOB SERVICES rows). A job's status, containers, instances and
/// logs are under `/v1/services/{name}` (``ServiceRoutes``), as SPCS shows them.
enum JobRoutes {
    static func collection(queries: ServiceQueries) -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection()
        routes.get("/v1/jobs") { _, _ in try ControlAPI.json(queries.services(jobs: true)) }
        return routes
    }
}

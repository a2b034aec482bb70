import Foundation

/// The stable hash of an object's meaning (not its bytes).
///
/// The digest is SHA-256 over a canonical JSON encoding of the typed object (keys sorted, defaults
/// applied, template values already substituted, `env` sorted by name). For services it covers the
/// spec plus `computePool` and `runAs` only, so scaling (`minInstances`, `maxInstances`,
/// `minReadyInstances`) and settings that do not change what runs never change it. For jobs it
/// covers the spec plus the job header.
public enum SpecDigest {
    /// A hex digest; comments, key order, quoting and formatting do not change it, nor do a
    /// service's minInstances/maxInstances/minReadyInstances; anything that changes what runs does.
    public static func digest(of object: StageObject) -> String {
        SHA256.hex(canonicalEncoding(of: object))
    }

    /// The bytes that are hashed (exposed to tests).
    static func canonicalEncoding(of object: StageObject) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let canonical: Canonical
        switch object {
        case .service(let header, let spec):
            canonical = .service(
                ServiceMeaning(computePool: header.computePool, runAs: header.runAs, spec: sorted(spec)))
        case .job(var header, let spec):
            header.using = [:]
            canonical = .job(header, sorted(spec))
        case .computePool(let pool):
            canonical = .computePool(pool)
        case .function(let function):
            canonical = .function(function)
        case .image(var image):
            image.env.sort { $0.name < $1.name }
            canonical = .image(image)
        }
        // Encoding plain value types with JSONEncoder cannot fail.
        return (try? [UInt8](encoder.encode(canonical))) ?? []
    }

    private static func sorted(_ spec: ServiceSpec) -> ServiceSpec {
        var spec = spec
        for index in spec.containers.indices {
            spec.containers[index].env.sort { $0.name < $1.name }
        }
        return spec
    }

    /// What a service's digest covers.
    private struct ServiceMeaning: Encodable {
        var computePool: ObjectName?
        var runAs: String?
        var spec: ServiceSpec
    }

    private enum Canonical: Encodable {
        case service(ServiceMeaning)
        case job(JobHeader, ServiceSpec)
        case computePool(ComputePoolSpec)
        case function(FunctionSpec)
        case image(ImageSpec)
    }
}

// swift-tools-version: 6.2
import PackageDescription

/// How release builds of floed and floectl are linked on Linux (bench/RESULTS.md, "floed's memory", has the numbers).
/// - `-static-stdlib`: the Swift runtime and Foundation are linked in, so the linker keeps only the code
///   floe uses, the dynamic loader binds no symbols in twenty libraries at start, and no shared library's
///   relocated pages are dirtied. The four `-l` are the archives that the static Foundation module would
///   autolink (the objects are compiled against the shared one, which names fewer): a toolchain that
///   splits Foundation differently fails here with undefined symbols, and this list is what to update.
/// - lld (shipped with the toolchain) with `-z pack-relative-relocs`: the relative relocations of a
///   position-independent executable as a compact table (DT_RELR, glibc 2.36+) instead of megabytes of
///   `.rela.dyn` that the loader reads once and the process keeps mapped.
/// - `--no-export-dynamic` undoes the `-export-dynamic` that `-static-stdlib` adds: nothing looks
///   floe's symbols up at run time, and exporting them maps a dynamic symbol table of megabytes.
/// Debug builds (and so the tests) link the usual way. `swift build -c release` is all it takes.
let staticReleaseLinking: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-static-stdlib", "-lCoreFoundation", "-l_FoundationICU", "-l_FoundationCShims",
            "-l_FoundationCollections", "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
            "-Xlinker", "--no-export-dynamic",
        ],
        .when(platforms: [.linux], configuration: .release)
    )
]

/// How release links of floed lay out its code on Linux: the functions floed runs first, side by side.
/// The kernel maps code in whole page-cache folios (64 KiB), so in the default order the few thousand functions
/// floed runs, spread over 28 MB of text, make most of it resident. Sources/floed/floed.order lists them (made by
/// bench/text_order.py from a run under callgrind); functions it does not list are placed after, and names that
/// no longer exist are ignored, so a stale list costs memory, never correctness. The numbers: bench/RESULTS.md,
/// "floed's code layout".
let floedTextOrder: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/floed/floed.order",
            "-Xlinker", "--no-warn-symbol-ordering",
        ],
        .when(platforms: [.linux], configuration: .release)
    )
]

let package = Package(
    name: "floe",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "floed", targets: ["floed"]),
        .executable(name: "floectl", targets: ["floectl"]),
        .executable(name: "floe-monitor", targets: ["floe-monitor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.10.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        // Already in the graph through hummingbird; named for NIOHTTPTypes (the control socket's access check).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.20.0"),
    ],
    targets: [
        // libyaml (Debian libyaml-dev), read through a small node tree in FloeYAML.
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // glibc's malloc tuning (mallopt, malloc_trim, mallinfo2): floed's arena limit and trimmer.
        .systemLibrary(name: "CMalloc"),
        // libsystemd (Debian libsystemd-dev): sd_notify and the journal.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // YAML text -> node tree with 1-based line:column for every node; hostile-input limits.
        .target(name: "FloeYAML", dependencies: ["CLibYAML"]),
        // Stage files -> typed, checked objects (SPCS spec schema, headers, digests, diagnostics).
        .target(name: "FloeSpec", dependencies: ["FloeYAML"]),
        // The core: world, planner, actions, desired state, the container value types, the pure builders
        // and the seams' protocols (clock, world store). Depends on no runtime module.
        .target(
            name: "FloeCore",
            dependencies: [
                "FloeSpec", "FloeAPI",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        // Wire types shared by floed's control API and floectl (SPCS-shaped status rows, tables).
        .target(name: "FloeAPI", dependencies: []),
        // Running containers: the ContainerRuntime protocol and the host-process runtime.
        // posix_spawn with the signal state reset, and pidfds: how ProcessRuntime starts and watches containers.
        .target(name: "CFloeProcess"),
        .target(
            name: "FloeRuntime",
            dependencies: [
                "FloeSpec", "FloeCore",
                "CFloeProcess",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // The ingress: an HTTP/1.1 reverse proxy for public endpoints (streaming, keep-alive, WebSocket).
        .target(
            name: "FloeIngress",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Service functions: the SPCS batch protocol as a client (batches, retries, polling, order).
        .target(
            name: "FloeFunctions",
            dependencies: [
                "FloeSpec",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Instance networking: namespaces, bridge, NAT and service addresses (iproute2, nftables), DNS.
        .target(
            name: "FloeNetwork",
            dependencies: [
                "FloeSpec",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // floed's configuration: floed.yaml, command-line overrides, defaults, paths and the socket's rules.
        // floectl uses it to find floed's socket, so it must not depend on the daemon.
        .target(
            name: "FloeConfig",
            dependencies: [
                "FloeSpec", "FloeYAML", "FloeNetwork", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // systemd integration: sd_notify (READY/STATUS/WATCHDOG/RELOADING/STOPPING) and a journal log handler.
        .target(
            name: "FloeSystemd",
            dependencies: ["CSystemd", "FloeConfig", .product(name: "Logging", package: "swift-log")]
        ),
        // The daemon: stage watcher, state store, reconcile loop, probes, control API, systemd.
        .target(
            name: "FloeDaemon",
            dependencies: [
                "FloeSpec", "FloeConfig", "FloeCore", "FloeAPI", "FloeRuntime", "FloeYAML", "FloeSystemd",
                "FloeIngress", "FloeFunctions", "FloeNetwork", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // Test doubles of every seam: container runtime, clock, world store, instance network, prober.
        .target(
            name: "FloeTesting",
            dependencies: [
                "FloeCore", "FloeRuntime", "FloeNetwork", "FloeSpec",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The parent floed puts between itself and each container (C): it outlives floed and writes
        // the container's exit status down (see its source). swiftc links it with the Swift runtime
        // (about 460 KiB per monitor); `make`, the demo, the bench and `make install` replace it with
        // a static build by cc (scripts/build-monitor.sh, about 66 KiB per monitor).
        .executableTarget(name: "floe-monitor"),
        .executableTarget(
            name: "floed",
            dependencies: [
                "FloeDaemon", "FloeConfig", "floe-monitor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["floed.order"],
            linkerSettings: staticReleaseLinking + floedTextOrder
        ),
        .executableTarget(
            name: "floectl",
            dependencies: [
                "FloeSpec", "FloeAPI", "FloeConfig", "FloeFunctions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            linkerSettings: staticReleaseLinking
        ),
        .testTarget(name: "FloeYAMLTests", dependencies: ["FloeYAML"]),
        .testTarget(name: "FloeSpecTests", dependencies: ["FloeSpec"]),
        .testTarget(name: "FloeCoreTests", dependencies: ["FloeCore"]),
        .testTarget(name: "FloeTestingTests", dependencies: ["FloeTesting", "FloeCore", "FloeRuntime", "FloeSpec"]),
        .testTarget(
            name: "FloeRuntimeTests",
            dependencies: [
                "FloeRuntime", "FloeCore", "FloeTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "FloeSystemdTests", dependencies: ["FloeSystemd"]),
        .testTarget(name: "FloeConfigTests", dependencies: ["FloeConfig"]),
        .testTarget(
            name: "FloeFunctionsTests",
            dependencies: [
                "FloeFunctions", "FloeSpec",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "FloeNetworkTests", dependencies: ["FloeNetwork"]),
        .testTarget(
            name: "FloeDaemonTests",
            dependencies: [
                "FloeDaemon", "FloeConfig", "FloeTesting", "FloeCore", "FloeRuntime", "FloeSpec", "FloeAPI",
                "FloeNetwork",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "FloeIngressTests", dependencies: ["FloeIngress"]),
        .testTarget(name: "floectlTests", dependencies: ["floectl"]),
        .testTarget(name: "EndToEndTests", dependencies: ["FloeAPI", "floe-monitor"]),
    ]
)

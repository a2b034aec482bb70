import FloeSpec
import Foundation
import Testing

@testable import FloeDaemon

@Suite("Paths from spec files stay inside their roots")
struct PathRootsTests {
    /// A temporary root with `stage/`, `stage/app/`, `images/` and `outside/`.
    final class Tree {
        let root: String
        init() throws {
            root = FileManager.default.temporaryDirectory.path + "/floe-roots-\(UUID().uuidString.prefix(8))"
            for directory in ["stage/app", "images/tool", "outside"] {
                try FileManager.default.createDirectory(
                    atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
            }
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }
        var roots: PathRoots { PathRoots(["\(root)/stage", "\(root)/images"]) }
    }

    @Test func directoriesInsideARootPass() throws {
        let tree = try Tree()
        #expect(tree.roots.check("\(tree.root)/stage/app", what: "image directory") == nil)
        #expect(tree.roots.check("\(tree.root)/stage", what: "image directory") == nil)
        #expect(tree.roots.check("\(tree.root)/images/tool", what: "image directory") == nil)
        #expect(tree.roots.check("\(tree.root)/stage/not-yet-made", what: "image directory") == nil)
    }

    @Test func dotDotAbsolutePathsAndLookalikePrefixesEscape() throws {
        let tree = try Tree()
        #expect(tree.roots.check("\(tree.root)/stage/../../etc", what: "image directory") != nil)
        #expect(tree.roots.check("\(tree.root)/stage/app/../../outside", what: "image directory") != nil)
        #expect(tree.roots.check("/etc", what: "image directory") != nil)
        #expect(tree.roots.check("/", what: "image directory") != nil)
        try FileManager.default.createDirectory(atPath: "\(tree.root)/stage-evil", withIntermediateDirectories: true)
        #expect(tree.roots.check("\(tree.root)/stage-evil", what: "image directory") != nil)
    }

    @Test func aSymbolicLinkPointingOutEscapes() throws {
        let tree = try Tree()
        try FileManager.default.createSymbolicLink(atPath: "\(tree.root)/stage/link", withDestinationPath: "/etc")
        let escape = try #require(tree.roots.check("\(tree.root)/stage/link", what: "image directory"))
        #expect(escape.realPath == "/etc")
        #expect(escape.description.contains("really '/etc'"))
        try FileManager.default.createSymbolicLink(
            atPath: "\(tree.root)/stage/inner", withDestinationPath: "\(tree.root)/images/tool")
        #expect(tree.roots.check("\(tree.root)/stage/inner", what: "image directory") == nil)
    }

    /// An image file whose directory leaves the stage is a file with an error at the value's line:column.
    @Test func anImageFileThatEscapesIsAnErrorAtItsLineAndColumn() throws {
        let tree = try Tree()
        let roots = PathRoots(["\(tree.root)/stage"])
        var registry = StageRegistry(
            directory: "\(tree.root)/stage", defaultPoolName: ObjectName("DEFAULT_POOL")!,
            defaultPool: ComputePoolSpec(instanceFamily: InstanceFamily.named("CPU_X64_XS")!, autoSuspendSecs: 0))
        registry.objectCheck = { roots.problems(in: $0) }
        let files = [
            "up.yaml": "image:\n  reference: /db/s/r/up:latest\n  directory: ../../etc\n",
            "absolute.yaml": "image:\n  reference: /db/s/r/abs:latest\n  directory: /etc\n",
            "inside.yaml": "image:\n  reference: /db/s/r/in:latest\n  directory: app\n",
        ]
        for (name, text) in files {
            try text.write(toFile: "\(tree.root)/stage/\(name)", atomically: true, encoding: .utf8)
        }
        _ = registry.reload(Set(files.keys), now: Date())
        for name in ["up.yaml", "absolute.yaml"] {
            let entry = try #require(registry.entries[name])
            let error = try #require(entry.errors.first { $0.message.contains("outside the allowed roots") })
            #expect(error.line == 3 && error.column == 14, "\(error)")
            #expect(entry.latest.object == nil)
        }
        #expect(registry.entries["inside.yaml"]?.errors.isEmpty == true)
    }
}

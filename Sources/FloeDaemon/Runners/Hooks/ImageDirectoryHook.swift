import FloeCore

/// Refuses to run a container in an `image:` file's directory outside the allowed roots (the stage
/// and the configured image roots), symbolic links resolved.
struct ImageDirectoryHook: InstanceHook {
    let roots: PathRoots

    func prestart(_ start: inout ContainerStart, instance: InstanceKey) async throws(HookFailure) {
        guard let image = start.image, start.launch.workingDirectory == image.directory,
            let escape = roots.check(image.directory, what: "image directory")
        else { return }
        throw HookFailure(escape.description)
    }
}

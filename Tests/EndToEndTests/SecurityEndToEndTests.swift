import Foundation
import Testing

// Nested in the serialized end-to-end suite: one floed at a time.
extension ServiceLifecycleTests {
    /// floed as root: who instances run as, who may use the socket, secrets, and path roots. Each test
    /// tries to break its rule.
    @Suite("floed security")
    struct SecurityEndToEndTests {
        /// A service running `script` with `sh -c` (it should end in `exec sleep 600`).
        static func shellService(_ script: String, header: String = "", extra: String = "") -> String {
            """
            service: {stopGraceSeconds: 1\(header.isEmpty ? "" : ", \(header)")}
            spec:
              containers:
              - name: main
                image: /floe/test/shell:latest
                command: [sh, -c, '\(script)']
            \(extra)
            """
        }

        static func write(_ text: String, to path: String) throws {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }

        /// `floectl ARGS` with `input` on its stdin.
        static func ctl(_ floe: FloeHarness, input: String, _ arguments: String...) throws -> FloeHarness.Output {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "\(FloeHarness.binDirectory)/floectl")
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            environment["FLOE_SOCKET"] = floe.socket
            process.environment = environment
            let stdin = Pipe()
            let out = Pipe()
            let err = Pipe()
            process.standardInput = stdin
            process.standardOutput = out
            process.standardError = err
            try process.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
            let o = out.fileHandleForReading.readDataToEndOfFile()
            let e = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return FloeHarness.Output(
                code: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                stderr: String(decoding: e, as: UTF8.self))
        }

        /// A request to the control socket made by a process running as `nobody` (uid and gid 65534, no
        /// other groups): `curl`'s body and HTTP status.
        static func requestAsNobody(_ floe: FloeHarness, path: String = "/v1/services") async throws
            -> FloeHarness.Output
        {
            try await floe.run(
                "/usr/bin/setpriv",
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-s", "-w", "\\n%{http_code}",
                    "--unix-socket", floe.socket, "http://floed\(path)",
                ])
        }

        static func requestAsRoot(_ floe: FloeHarness, path: String = "/v1/services") async throws
            -> FloeHarness.Output
        {
            try await floe.run(
                "/usr/bin/curl", ["-s", "-w", "\\n%{http_code}", "--unix-socket", floe.socket, "http://floed\(path)"])
        }

        /// floed's PATH for tests whose instances run as nobody: the test runner's PATH may start with
        /// directories under /root that nobody cannot enter.
        static let systemPath = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]

        static func fileStatus(_ path: String) -> stat {
            var info = stat()
            stat(path, &info)
            return info
        }

        // MARK: run-as

        @Test func instancesRunAsTheDefaultUserAsRootOnlyWhenAskedAndAMissingUserWaits() async throws {
            let floe = try FloeHarness()
            defer { Task { await floe.tearDown() } }
            try Self.write("rescanSeconds: 2\ndefaultPool: {maxNodes: 8}\ndefaultUser: nobody\n", to: floe.config)
            try await floe.start(environment: Self.systemPath)
            let script = "echo uid=$(id -u) gid=$(id -g) groups=$(id -G); exec sleep 600"
            try floe.drop("as_default.yaml", Self.shellService(script))
            try floe.drop("as_root.yaml", Self.shellService(script, header: "runAs: root"))
            try floe.drop("as_ghost.yaml", Self.shellService(script, header: "runAs: floe-ghost-user"))
            try await floe.eventually("AS_DEFAULT runs as nobody") {
                try await floe.ctl("logs", "as_default").stdout.contains("uid=65534 gid=65534")
            }
            let nobody = try await floe.ctl("logs", "as_default").stdout
            #expect(!nobody.contains("uid=0"), "\(nobody)")
            try await floe.eventually("AS_ROOT runs as root, as its header asks") {
                try await floe.ctl("logs", "as_root").stdout.contains("uid=0 gid=0")
            }
            try await floe.eventually("AS_GHOST waits with a message that says what to do") {
                let row = try await floe.status("as_ghost").first ?? [:]
                let message = row["message"] as? String ?? ""
                return row["status"] as? String == "PENDING"
                    && message.contains(
                        "runAs user 'floe-ghost-user' does not exist: create it (useradd --system floe-ghost-user)")
            }
            #expect(pids(matching: "floe-ghost-user").isEmpty)
            await floe.tearDown()
        }

        @Test func aMissingDefaultUserKeepsInstancesPendingInsteadOfRunningThemAsRoot() async throws {
            let floe = try FloeHarness()
            defer { Task { await floe.tearDown() } }
            try Self.write(
                "rescanSeconds: 2\ndefaultPool: {maxNodes: 8}\ndefaultUser: floe-missing-default\n", to: floe.config)
            try await floe.start()
            let marker = "\(floe.root)/ran-as-root"
            try floe.drop("would_be_root.yaml", Self.shellService("touch \(marker); exec sleep 600"))
            try await floe.eventually("WOULD_BE_ROOT is PENDING with how to create the user") {
                let message = try await floe.status("would_be_root").first?["message"] as? String ?? ""
                return message.contains("user 'floe-missing-default' does not exist")
                    && message.contains("useradd --system --user-group floe-missing-default")
            }
            #expect(!FileManager.default.fileExists(atPath: marker))
            await floe.tearDown()
        }

        // MARK: the control socket

        @Test func theSocketIsForItsGroupAndTheAPIRefusesOthersEvenWhenTheModeIsOpened() async throws {
            let floe = try FloeHarness()
            defer { Task { await floe.tearDown() } }
            try Self.write("rescanSeconds: 2\ndefaultPool: {maxNodes: 8}\nsocketGroup: daemon\n", to: floe.config)
            try await floe.start()
            let info = Self.fileStatus(floe.socket)
            #expect(info.st_mode & 0o777 == 0o660)
            #expect(info.st_gid == 1, "the socket belongs to group daemon (gid 1)")
            // Open the socket to everyone, as a careless admin might: the API itself still refuses.
            chmod(floe.socket, 0o666)
            let refused = try await Self.requestAsNobody(floe)
            #expect(refused.stdout.hasSuffix("\n403"), "\(refused)")
            #expect(refused.stdout.contains("access denied"), "\(refused)")
            #expect(refused.stdout.contains("usermod -aG daemon"), "\(refused)")
            let secrets = try await Self.requestAsNobody(floe, path: "/v1/secrets")
            #expect(secrets.stdout.hasSuffix("\n403"), "\(secrets)")
            let root = try await Self.requestAsRoot(floe)
            #expect(root.stdout.hasSuffix("\n200"), "\(root)")
            // floectl run by that user prints the refusal.
            let ctl = try await floe.run(
                "/usr/bin/setpriv",
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", "env", "FLOE_SOCKET=\(floe.socket)",
                    "\(FloeHarness.binDirectory)/floectl", "services",
                ])
            #expect(ctl.code != 0)
            #expect(ctl.stderr.contains("floectl: access denied"), "\(ctl)")
            #expect(floe.log().contains("refused a client"))
            await floe.tearDown()
        }

        @Test func membersOfTheSocketGroupGetIn() async throws {
            let floe = try FloeHarness()
            defer { Task { await floe.tearDown() } }
            // nobody's primary group is nogroup.
            try Self.write("rescanSeconds: 2\ndefaultPool: {maxNodes: 8}\nsocketGroup: nogroup\n", to: floe.config)
            try await floe.start()
            #expect(Self.fileStatus(floe.socket).st_gid == 65534)
            let member = try await Self.requestAsNobody(floe)
            #expect(member.stdout.hasSuffix("\n200"), "\(member)")
            await floe.tearDown()
        }

        @Test func withoutTheSocketGroupTheSocketIs0600AndFloedSaysHowToCreateIt() async throws {
            let floe = try FloeHarness()
            defer { Task { await floe.tearDown() } }
            try Self.write(
                "rescanSeconds: 2\ndefaultPool: {maxNodes: 8}\nsocketGroup: floe-no-such-group\n", to: floe.config)
            try await floe.start()
            #expect(Self.fileStatus(floe.socket).st_mode & 0o777 == 0o600)
            try await floe.eventually("floed warns how to create the group") {
                floe.log().contains("groupadd --system floe-no-such-group")
            }
            await floe.tearDown()
        }

        // MARK: secrets

        @Test func secretsReachTheProcessAsSPCSDeliversThemAndNowhereElse() async throws {
            let floe = try FloeHarness()
            defer { Task { await floe.tearDown() } }
            try Self.write("rescanSeconds: 2\ndefaultPool: {maxNodes: 8}\ndefaultUser: nobody\n", to: floe.config)
            try await floe.start(environment: Self.systemPath)
            let password = "Zebra-9f3c-PASSWORD"
            let token = "Tok-77aa-STRING"
            let set = try Self.ctl(
                floe, input: password + "\n", "secret", "set", "db_login", "--username", "app",
                "--password-stdin")
            #expect(set.code == 0, "\(set)")
            #expect(try Self.ctl(floe, input: token, "secret", "set", "api_token", "--string-stdin").code == 0)

            let script =
                "echo pw=$DB_PASSWORD tok=$API_TOKEN; echo file=$(cat $FLOE_SECRETS_ROOT/secrets/db/password); "
                + "echo root=$FLOE_SECRETS_ROOT; echo tpl=$TPL; exec sleep 600"
            let secrets = """
                    env: {TPL: "x-{{ secret.api_token.secret_string }}"}
                    secrets:
                    - snowflakeSecret: {objectName: db.schema.db_login}
                      secretKeyRef: password
                      envVarName: DB_PASSWORD
                    - snowflakeSecret: api_token
                      secretKeyRef: secret_string
                      envVarName: API_TOKEN
                    - snowflakeSecret: db_login
                      directoryPath: /secrets/db
                """
            try floe.drop("uses_secrets.yaml", Self.shellService(script) + secrets + "\n")
            try await floe.eventually("the process sees both secrets, as env vars and as a file") {
                let log = try await floe.ctl("logs", "uses_secrets").stdout
                return log.contains("pw=\(password) tok=\(token)") && log.contains("file=\(password)")
                    && log.contains("tpl=x-\(token)")
            }
            let log = try await floe.ctl("logs", "uses_secrets").stdout
            let root = try #require(log.split(separator: "\n").first { $0.hasPrefix("root=") }).dropFirst(5)
            let directory = Self.fileStatus(String(root))
            #expect(directory.st_uid == 65534 && directory.st_mode & 0o777 == 0o700)
            let file = Self.fileStatus("\(root)/secrets/db/password")
            #expect(file.st_uid == 65534 && file.st_mode & 0o777 == 0o600)

            let list = try await floe.ctl("secret", "list")
            #expect(list.stdout.contains("DB_LOGIN") && list.stdout.contains("username,password"), "\(list)")
            #expect(list.stdout.contains("API_TOKEN") && list.stdout.contains("secret_string"), "\(list)")

            // A missing secret: PENDING with the command that fixes it.
            let missing = """
                    secrets:
                    - snowflakeSecret: no_such_secret
                      secretKeyRef: secret_string
                      envVarName: X
                """
            try floe.drop("needs_missing.yaml", Self.shellService("exec sleep 600") + missing + "\n")
            try await floe.eventually("NEEDS_MISSING waits for its secret") {
                let message = try await floe.status("needs_missing").first?["message"] as? String ?? ""
                return message.contains("secret NO_SUCH_SECRET not found: floectl secret set NO_SUCH_SECRET")
            }

            // A new value restarts the service's instance, which then sees it.
            let newPassword = "Yak-31d0-PASSWORD"
            #expect(
                try Self.ctl(
                    floe, input: newPassword, "secret", "set", "db_login", "--username", "app",
                    "--password-stdin"
                ).code == 0)
            try await floe.eventually("USES_SECRETS restarts with the new value", timeout: .seconds(60)) {
                try await floe.ctl("logs", "uses_secrets").stdout.contains("pw=\(newPassword)")
            }

            // Nowhere else: floed's log, events, describe, status, lists, the saved world.
            try await Task.sleep(for: .seconds(1))
            var seen: [String: String] = ["floed log": floe.log()]
            for command in [
                ["events"], ["describe", "uses_secrets"], ["status", "uses_secrets"], ["services", "--json"],
                ["instances", "uses_secrets"], ["containers", "uses_secrets"], ["secret", "list", "--json"],
            ] {
                let out = try await floe.run("\(FloeHarness.binDirectory)/floectl", command, socket: true)
                seen["floectl " + command.joined(separator: " ")] = out.stdout + out.stderr
            }
            for name in (try? FileManager.default.subpathsOfDirectory(atPath: floe.state)) ?? []
            where !name.hasPrefix("logs/") && !name.hasPrefix("secrets/") && !name.hasPrefix("instances/") {
                seen[name] = (try? String(contentsOfFile: "\(floe.state)/\(name)", encoding: .utf8)) ?? ""
            }
            #expect(seen.keys.contains { $0.hasSuffix("world.json") }, "\(seen.keys.sorted())")
            for (place, text) in seen {
                for value in [password, newPassword, token] {
                    #expect(!text.contains(value), "\(place) shows a secret value")
                }
            }
            await floe.tearDown()
        }

        // MARK: path roots

        @Test func imageDirectoriesCannotLeaveTheStageByDotDotAbsolutePathOrSymlink() async throws {
            let floe = try FloeHarness()
            defer { Task { await floe.tearDown() } }
            try Self.write("rescanSeconds: 2\ndefaultPool: {maxNodes: 8}\ndefaultUser: nobody\n", to: floe.config)
            let app = "\(floe.stage)/app"
            try FileManager.default.createDirectory(atPath: app, withIntermediateDirectories: true)
            chmod(app, 0o755)
            try "echo running in $(pwd); exec sleep 600\n".write(
                toFile: "\(app)/run.sh", atomically: true, encoding: .utf8)
            try await floe.start(environment: Self.systemPath)
            try floe.drop("up_image.yaml", "image:\n  reference: /t/s/r/up:latest\n  directory: ../../etc\n")
            try floe.drop("abs_image.yaml", "image:\n  reference: /t/s/r/abs:latest\n  directory: /etc\n")
            try floe.drop(
                "app_image.yaml",
                "image:\n  reference: /t/s/r/app:latest\n  directory: app\n  entrypoint: [sh, run.sh]\n")
            // The service only once its image is known (else its first start fails and waits out a backoff).
            try await floe.eventually("the image file inside the stage is loaded") {
                try await floe.ctl("events").stdout.contains("image from app_image.yaml")
            }
            try floe.drop(
                "app.yaml",
                "service: {stopGraceSeconds: 1}\nspec:\n  containers:\n  - name: main\n    image: /t/s/r/app:latest\n")
            try await floe.eventually("the escaping image files are errors at their directory's line:column") {
                let out = try await floe.ctl("events").stdout
                return out.contains("up_image.yaml:3:14: image directory")
                    && out.contains("abs_image.yaml:3:14: image directory '/etc' is outside the allowed roots")
            }
            try await floe.eventually("APP runs from its directory inside the stage") {
                try await floe.ctl("logs", "app").stdout.contains("running in \(app)")
            }
            // The directory becomes a symlink out of the stage while APP runs: its next start is refused.
            let outside = "\(floe.root)/outside"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(app)/run.sh", toPath: "\(outside)/run.sh")
            try FileManager.default.moveItem(atPath: app, toPath: "\(floe.root)/app-moved")
            try FileManager.default.createSymbolicLink(atPath: app, withDestinationPath: outside)
            for pid in pids(matching: "sleep 600")
            where
                (try? String(
                    contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8))?.contains("SNOWFLAKE_SERVICE_NAME=APP\0")
                == true
            {
                kill(pid, SIGKILL)
            }
            try await floe.eventually("APP waits: its image directory now leads out of the stage") {
                let message = try await floe.status("app").first?["message"] as? String ?? ""
                return message.contains("image directory") && message.contains("really '\(outside)'")
            }
            await floe.tearDown()
        }
    }
}

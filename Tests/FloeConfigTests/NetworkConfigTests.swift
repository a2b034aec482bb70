import FloeConfig
import Testing

@Suite struct NetworkConfigTests {
    func parse(_ text: String) -> (FloedConfig?, [String]) {
        let (config, diagnostics) = FloedConfig.parse(
            Array(text.utf8), path: "/etc/floe/floed.yaml", environment: [:], isRoot: true,
            host: HostCapacity(cpus: 8, memoryBytes: 32 << 30))
        return (config, diagnostics.map { "\($0.line):\($0.column): \($0.message)" })
    }

    @Test func defaultsAreAutoOnTheDefaultRangeAndBridge() throws {
        let config = try #require(parse("").0)
        #expect(config.network == .auto)
        #expect(config.networkRange.description == "10.213.0.0/16")
        #expect(config.networkBridge == "floe0")
    }

    @Test func keysAreRead() throws {
        let config = try #require(
            parse("network: namespaces\nnetworkRange: 10.99.0.0/20\nnetworkBridge: flo1\n").0)
        #expect(config.network == .namespaces)
        #expect(config.networkRange.description == "10.99.0.0/20")
        #expect(config.networkBridge == "flo1")
    }

    @Test func badValuesSayWhatIsExpected() {
        let (config, messages) = parse(
            "network: bridge\nnetworkRange: 10.99.0.1/16\nnetworkBridge: my-bridge-name\n")
        #expect(config == nil)
        #expect(messages.count == 3)
        #expect(messages[0].hasPrefix("1:10: 'network' must be auto, host or namespaces"))
        #expect(messages[1].hasPrefix("2:15: 'networkRange' must be an IPv4 network"))
        #expect(messages[2].hasPrefix("3:16: 'networkBridge' must be 1 to 8"))
        #expect(parse("networkRange: 10.99.0.0/27\n").0 == nil)
    }
}

import FloeDaemon

/// floed's entry point: process-wide settings that must precede every thread, then ``Floed``.
@main
enum FloedMain {
    static func main() async {
        // One malloc arena instead of up to eight per core: measured smaller and no slower (bench/RESULTS.md,
        // "floed's memory"). Before any other thread exists, so that none gets an arena of its own.
        MallocTuning.limitArenas(1)
        // floed's times are all UTC; GMT spares Foundation ICU's time-zone data (TimeZoneSetting).
        TimeZoneSetting.useGMT()
        await Floed.main()
    }
}

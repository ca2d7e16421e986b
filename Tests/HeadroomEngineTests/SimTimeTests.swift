import Testing
@testable import HeadroomEngine

@Suite("SimTime")
struct SimTimeTests {
    @Test("durations parse with their unit and format back")
    func parseAndFormat() {
        #expect(DurationFormat.parse("250ms") == .milliseconds(250))
        #expect(DurationFormat.parse("30s") == .seconds(30))
        #expect(DurationFormat.parse("5m") == .minutes(5))
        #expect(DurationFormat.parse("2h") == .hours(2))
        #expect(DurationFormat.parse("1.5s") == SimTime(nanoseconds: 1_500_000_000))
        #expect(DurationFormat.parse("100us") == SimTime(nanoseconds: 100_000))
        #expect(DurationFormat.parse("7ns") == SimTime(nanoseconds: 7))
        #expect(DurationFormat.parse("1d") == .hours(24))
        #expect(DurationFormat.parse("30") == nil)
        #expect(DurationFormat.parse("fast") == nil)
        #expect(DurationFormat.parse("1e300h") == nil)
        #expect(SimTime.minutes(5).description == "5m")
        #expect(SimTime.milliseconds(250).description == "250ms")
        #expect(SimTime(nanoseconds: 1_500_000_000).description == "1.5s")
    }

    @Test("addition saturates instead of overflowing")
    func saturation() {
        #expect(SimTime.never + .seconds(1) == .never)
        #expect(SimTime.seconds(1e12) == .never)
    }
}

import DroverCore
import Testing

@Suite struct LogFileOutageTests {
    @Test func reportsOnceWhenItBeginsNamingTheFileAndTheError() {
        #expect(
            LogFileOutage.report(path: "log/drover.log", reason: "no space left on device")
                == "cannot write to log/drover.log (no space left on device); dropping log lines until it can be written again")
    }

    @Test func triesAgainOnlyOnceASecondAndCountsEveryDroppedLine() {
        var outage = LogFileOutage(path: "a.log", since: "12:00:01", dropped: 3, now: 10_000)
        #expect(!outage.mayTry(now: 10_000))
        #expect(!outage.mayTry(now: 10_999))
        #expect(outage.mayTry(now: 11_000))
        outage.drop(40)
        outage.failedAgain(dropping: 2, now: 11_000)
        #expect(!outage.mayTry(now: 11_500), "a failed retry waits another second")
        #expect(outage.mayTry(now: 12_000))
        #expect(outage.dropped == 45)
        #expect(outage.recovery == "writing to a.log again; 45 log lines dropped since 12:00:01")
    }

    @Test func oneLineIsOneLine() {
        let outage = LogFileOutage(path: "a.log", since: "08:00:00", dropped: 1, now: 0)
        #expect(outage.recovery == "writing to a.log again; 1 log line dropped since 08:00:00")
    }

    @Test func aReopenedFileIsTriedAtOnce() {
        var outage = LogFileOutage(path: "a.log", since: "08:00:00", dropped: 0, now: 5_000)
        #expect(!outage.mayTry(now: 5_001))
        outage.reopened()
        #expect(outage.mayTry(now: 5_001))
    }
}

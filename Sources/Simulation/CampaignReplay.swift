import Foundation
import PacingEngine

/// Replays the warm-up days and the measured day of one campaign, event by event, on a simulated
/// clock: Poisson arrivals along the traffic shape, a clearing price per request, a decision from
/// ``CampaignPacer``, and the win notice of an allowed bid at or above the price after a delay.
///
/// Requests and prices come from a stream seeded by (seed, campaign index, day) and throttling from
/// another, so a MULTIPLICATIVE twin of a campaign sees exactly the same requests and prices.
struct CampaignReplay {
    let campaign: SimCampaign
    let index: Int
    let traffic: TrafficShape
    let prices: PriceModel
    let options: SimulationOptions
    /// Replay as the MULTIPLICATIVE baseline twin of this campaign.
    let asBaseline: Bool

    func run() -> CampaignResult {
        var config = campaign.config
        if asBaseline { config.pacing = .multiplicative }
        let timeZone = config.timeZone ?? TimeZone(identifier: "UTC")!
        var pacer = CampaignPacer(config: config, settings: options.settings)
        var throttleRandom = Xoshiro256StarStar(seed: options.seed, stream: UInt64(index) &* 2 &+ 1)
        var notices = NoticeQueue()
        var recorder: DayRecorder?
        let bid = campaign.bid

        for dayIndex in 0...options.warmupDays {
            let day = BudgetDay(date: options.date.adding(days: dayIndex - options.warmupDays), in: timeZone)
            var stream = Xoshiro256StarStar(seed: options.seed, stream: 0x5EED_0000 &+ UInt64(index) &* 4096 &+ UInt64(dayIndex))
            let measured = dayIndex == options.warmupDays
            deliver(&notices, upTo: day.start.timeIntervalSinceReferenceDate, &pacer, &recorder)
            pacer.tick(now: day.start)
            if measured { recorder = DayRecorder(day: day, budget: pacer.ledger.dayBudget, bid: bid, tripRatio: config.breaker.tripRatio) }
            let volume = max(0.2, 1 + options.dayNoise * gaussian(&stream))

            for (slot, hour) in day.hourLabels.enumerated() {
                let slotStart = day.start.timeIntervalSinceReferenceDate + Double(slot) * 3600
                let slotEnd = min(slotStart + 3600, day.end.timeIntervalSinceReferenceDate)
                let jitter = max(0.2, 1 + options.hourNoise * gaussian(&stream))
                let rate = Double(campaign.dailyRequests) * traffic.share(ofHour: hour) * volume * jitter / 3600
                guard rate > 0 else { continue }
                var time = slotStart
                while true {
                    time += -log(1 - stream.nextUnit()) / rate
                    if time >= slotEnd { break }
                    deliver(&notices, upTo: time, &pacer, &recorder)
                    let price = prices.sample(&stream)
                    let decision = pacer.decide(bid: bid, now: Date(timeIntervalSinceReferenceDate: time), random: &throttleRandom)
                    let wins = price <= bid
                    if decision.allow && wins { notices.append(time: time + options.winNoticeDelay, amount: price) }
                    if measured {
                        recorder!.requests += 1
                        if decision.allow { recorder!.allowed += 1 }
                        if let transition = decision.transition { recorder!.noteTransition(transition) }
                        if wins { recorder!.noteSupply(price, at: time) }
                        if decision.allow && wins { recorder!.decidedSpend += price }
                    }
                }
            }
            // Notices due before midnight land today; later ones land tomorrow (or are dropped after the last day).
            deliver(&notices, upTo: day.end.timeIntervalSinceReferenceDate.nextDown, &pacer, &recorder)
            if measured { while recorder!.nextMarkTime <= day.end.timeIntervalSinceReferenceDate { recorder!.sample(pacer) } }
        }
        return recorder!.result(
            campaign: campaign,
            seed: options.seed,
            baselineOf: asBaseline ? campaign.config.name : nil,
            keepCurve: options.recordCurves,
            timeZone: timeZone
        )
    }

    /// Delivers win notices and takes minute samples, in time order, up to `time`.
    private func deliver(_ notices: inout NoticeQueue, upTo time: Double, _ pacer: inout CampaignPacer, _ recorder: inout DayRecorder?) {
        while true {
            let noticeTime = notices.first?.time ?? .infinity
            let markTime = recorder?.nextMarkTime ?? .infinity
            if markTime <= time, markTime <= noticeTime {
                recorder!.sample(pacer)
            } else if noticeTime <= time {
                let notice = notices.removeFirst()
                pacer.recordSpend(notice.amount, now: Date(timeIntervalSinceReferenceDate: notice.time))
                recorder?.noteSpend(pacer, at: notice.time)
            } else {
                return
            }
        }
    }

    private func gaussian(_ random: inout Xoshiro256StarStar) -> Double {
        let u1 = max(random.nextUnit(), 1e-300)
        let u2 = random.nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// Win notices in delivery order (a constant delay keeps them in decision order).
struct NoticeQueue {
    private var times: [Double] = []
    private var amounts: [Micros] = []
    private var head = 0

    var first: (time: Double, amount: Micros)? { head < times.count ? (times[head], amounts[head]) : nil }

    mutating func append(time: Double, amount: Micros) {
        if head > 4096 && head * 2 > times.count {
            times.removeFirst(head)
            amounts.removeFirst(head)
            head = 0
        }
        times.append(time)
        amounts.append(amount)
    }

    mutating func removeFirst() -> (time: Double, amount: Micros) {
        defer { head += 1 }
        return (times[head], amounts[head])
    }
}

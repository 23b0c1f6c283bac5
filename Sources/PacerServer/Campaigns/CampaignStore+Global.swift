import PacingEngine

extension CampaignStore {
    /// The override a campaign's breaker follows: the global kill switch when it is set, else
    /// the campaign's own.
    func effectiveOverride(_ own: BreakerOverride) -> BreakerOverride {
        let global = globalOverride.withLock { $0 }
        return global == .none ? own : global
    }

    /// Sets the global kill switch and applies it to every campaign in memory at once.
    func setGlobalOverride(_ override: BreakerOverride) {
        globalOverride.withLock { $0 = override }
        for slot in allSlots {
            slot.state.withLock { state in
                state.pacer.setOverride(effectiveOverride(state.record.breakerOverride))
            }
        }
    }
}

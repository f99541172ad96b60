enum BrokerObserverError: Error {
    case timedOut(seen: [ObservedMessage])
}

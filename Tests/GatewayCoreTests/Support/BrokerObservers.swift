/// The observers of a fixture, so that they are disconnected before the broker and the event loops stop.
actor BrokerObservers {
    private var observers: [BrokerObserver] = []

    func add(_ observer: BrokerObserver) {
        self.observers.append(observer)
    }

    func stopAll() async {
        for observer in self.observers {
            await observer.stop()
        }
        self.observers.removeAll()
    }
}

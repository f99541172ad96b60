/// A failure of the umockdev test bed or of waiting on it, with what went wrong in words.
struct TestbedError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

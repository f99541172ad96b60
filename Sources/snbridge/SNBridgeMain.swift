import SNBridge

/// The `snbridge` executable: everything it does lives in the SNBridge module, where tests can reach it.
@main
extension SNBridgeCommand {}

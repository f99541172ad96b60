import SNBridge

await SNBridgeCommand.main()

/// The version `snbridge --version` prints and the bridge announces in its status topic.
public enum SNBridgeVersion {
    public static let string = "0.1.0"
}

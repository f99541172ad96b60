/// The version `snbridge --version` prints and the bridge announces in its status topic. `scripts/package` reads
/// it and adds the commit for the package version (`0.2.0~<commits>.g<sha>`).
public enum SNBridgeVersion {
    public static let string = "0.2.0"
}

/// The release of skillhost that these programs are: what `skillhostd --version`,
/// `skillctl --version` and `host.status` say.
public enum SkillhostRelease {
    /// The version, `MAJOR.MINOR.PATCH`.
    public static let version = "0.1.0"
}

import LogbookCore

/// How `logbook server --auth` checks who is asking (see docs/auth.md).
public struct AccessConfiguration: Sendable {
    /// What a signed-in user may do on an experiment nobody granted them anything on.
    /// Default: ``Permission/read`` (MLflow's default).
    public var defaultPermission: Permission
    /// bcrypt's cost: each step doubles the time a password check takes. Default: 12
    /// (about a quarter of a second on one core of a 2020s machine).
    public var bcryptCost: Int
    /// How long a web UI sign-in lasts. Default: 12 hours.
    public var sessionLifetime: Duration
    /// How long a verified Basic-auth password is remembered, so that a client sending the same
    /// password with every request pays bcrypt once, not per request. A changed password (on any
    /// server sharing the store) is noticed at once; this only bounds how long a remembered one is
    /// kept in memory. Default: 10 minutes.
    public var verifiedPasswordLifetime: Duration
    /// Failed sign-ins one username may have from one address before further attempts must wait
    /// (1 s, doubling with each failure, at most 5 minutes); an address gets six times as many
    /// across usernames. Default: 5.
    public var freeFailedSignIns: Int

    public init(
        defaultPermission: Permission = .read, bcryptCost: Int = 12, sessionLifetime: Duration = .seconds(12 * 3600),
        verifiedPasswordLifetime: Duration = .seconds(600), freeFailedSignIns: Int = 5
    ) {
        self.freeFailedSignIns = freeFailedSignIns
        self.defaultPermission = defaultPermission
        self.bcryptCost = bcryptCost
        self.sessionLifetime = sessionLifetime
        self.verifiedPasswordLifetime = verifiedPasswordLifetime
    }
}

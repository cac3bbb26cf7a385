import Foundation

/// Identifiers and generated names for new runs.
public enum RunNames {
    /// A new run id: a random (version 4) UUID as 32 lowercase hex characters.
    public static func newRunID() -> String {
        UUID().uuidString.lowercased().filter { $0 != "-" }
    }

    /// A readable name for a run that was given none: `adjective-noun-N`, N in 0…1000, at most
    /// 20 characters, as MLflow makes them.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var name = ""
        for _ in 0..<10 {
            let adjective = adjectives.randomElement(using: &generator)!
            let noun = nouns.randomElement(using: &generator)!
            let number = Int.random(in: 0...1000, using: &generator)
            name = "\(adjective)-\(noun)-\(number)"
            if name.count <= 20 { return name }
        }
        return String(name.prefix(20))
    }

    /// A readable name for a run that was given none.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    static let adjectives = [
        "amber", "brave", "bright", "calm", "clever", "crisp", "curious", "daring", "dusty", "eager",
        "fancy", "fleet", "gentle", "glad", "golden", "grand", "happy", "hazy", "humble", "icy",
        "jolly", "keen", "kind", "lively", "loud", "lucky", "merry", "mighty", "misty", "modest",
        "nimble", "noble", "olive", "patient", "plucky", "polite", "proud", "quick", "quiet", "rapid",
        "rosy", "rustic", "shy", "silent", "silver", "sleepy", "smooth", "snowy", "solid", "spry",
        "steady", "stormy", "sunny", "swift", "tidy", "tiny", "vivid", "warm", "wild", "witty",
    ]

    static let nouns = [
        "ant", "bat", "bear", "bee", "bison", "boar", "carp", "cat", "cod", "colt",
        "crab", "crane", "crow", "deer", "dove", "duck", "eagle", "eel", "elk", "finch",
        "fox", "frog", "gnu", "goat", "goose", "hare", "hawk", "heron", "ibis", "jay",
        "koala", "lark", "lion", "llama", "lynx", "mole", "moose", "moth", "newt", "otter",
        "owl", "panda", "pike", "puma", "quail", "ram", "raven", "robin", "seal", "shrew",
        "snail", "swan", "tern", "toad", "trout", "vole", "wasp", "whale", "wolf", "wren",
    ]
}

/// Everything about one command that is not how it runs: its name, what it does, its
/// arguments and options. The parser, `--help`, the tool's command list and the README's
/// command table are all made from these.
struct CommandDeclaration: Sendable {
    /// The word that names it: `install`, or `show` under `runs`.
    let name: String
    /// What it does, in one line without a final period (the tool's help and the README list it).
    let abstract: String
    /// Paragraphs that explain it further, for its own help; `nil` when the abstract says all.
    let discussion: String?
    /// Its positional arguments, in order; optional ones after required ones.
    let arguments: [ArgumentDeclaration]
    /// Its options and flags, in the order help lists them.
    let options: [OptionDeclaration]
    /// Sets of options of which at most one may be given (names with their dashes).
    let exclusiveOptions: [[String]]
    /// What to say when more positional arguments come than the command takes, given all
    /// of them; `nil` for the usual "unexpected argument".
    let surplusAdvice: (@Sendable ([String]) -> String)?

    init(name: String, abstract: String, discussion: String? = nil, arguments: [any DeclaresArgument] = [],
         options: [any DeclaresOption] = [], exclusiveOptions: [[any DeclaresOption]] = [],
         surplusAdvice: (@Sendable ([String]) -> String)? = nil) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments.map(\.declaration)
        self.options = options.map(\.declaration)
        self.exclusiveOptions = exclusiveOptions.map { $0.map(\.declaration.name) }
        self.surplusAdvice = surplusAdvice
        precondition(!self.arguments.drop(while: { !$0.isOptional }).contains { !$0.isOptional },
                     "\(name): a required argument follows an optional one")
    }

    /// The option named `name` (with its dashes), if the command takes it.
    func option(named name: String) -> OptionDeclaration? {
        options.first { $0.name == name }
    }
}

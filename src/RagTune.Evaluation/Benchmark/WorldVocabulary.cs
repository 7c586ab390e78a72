namespace RagTune.Evaluation.Benchmark;

/// <summary>
/// The language of the generated worlds: five attributes of fictional people, filler sentences, name syllables and the
/// review words of the classification task. Question phrasings are split once here into training phrasings and
/// held-out test phrasings; nothing else decides which phrasing a test item gets.
/// </summary>
internal static class WorldVocabulary
{
    /// <summary>The attributes, in a fixed order.</summary>
    public static IReadOnlyList<AttributeSpec> Attributes { get; } =
    [
        new("city",
            ["Lisbon", "Oslo", "Cairo", "Lima", "Dublin", "Quito", "Hanoi", "Perth", "Turin", "Basel", "Bergen", "Kyoto", "Porto", "Tunis", "Accra", "Riga"],
            ["{e} lives in {v}.", "{e} has made a home in {v}.", "These days {e} lives in the city of {v}.", "After many moves, {e} settled in {v}.", "The city of {v} is where {e} lives now."],
            ["Where does {e} live?", "Which city does {e} live in?", "In what city is the home of {e}?"],
            ["What city is home to {e}?", "Name the city where {e} resides."],
            ["The brother of {e} lives in {v}.", "{e} once spent a holiday in {v}."]),
        new("occupation",
            ["baker", "pilot", "nurse", "painter", "farmer", "lawyer", "chemist", "sailor", "teacher", "jeweller", "surgeon", "librarian", "carpenter", "tailor", "potter", "dentist"],
            ["{e} works as a {v}.", "By profession, {e} is a {v}.", "{e} earns a living as a {v}.", "{e} trained for years to become a {v}.", "Every weekday {e} goes to work as a {v}."],
            ["What does {e} do for a living?", "What is the job of {e}?", "What is the profession of {e}?"],
            ["Which occupation does {e} have?", "What kind of work does {e} do?"],
            ["The father of {e} was a {v}.", "As a child, {e} wanted to be a {v}."]),
        new("pet",
            ["parrot", "tortoise", "ferret", "goldfish", "rabbit", "hamster", "beagle", "pony", "canary", "poodle", "lizard", "spaniel", "gecko", "donkey", "terrier", "pigeon"],
            ["{e} has a pet {v}.", "{e} keeps a {v} at home.", "A {v} is the only pet of {e}.", "{e} looks after a pet {v}.", "At home, {e} cares for a {v}."],
            ["What pet does {e} have?", "What kind of animal does {e} keep?", "Which pet lives with {e}?"],
            ["What animal is the pet of {e}?", "Name the pet that {e} owns."],
            ["The neighbour of {e} has a {v}.", "{e} is afraid of the {v} next door."]),
        new("colour",
            ["crimson", "amber", "teal", "violet", "ivory", "olive", "coral", "indigo", "scarlet", "silver", "maroon", "turquoise", "lilac", "ochre", "navy", "jade"],
            ["The favourite colour of {e} is {v}.", "{e} loves the colour {v}.", "Of all colours, {e} likes {v} best.", "{e} chooses {v} whenever possible, a favourite colour.", "Ask {e} about colours and the answer is always {v}."],
            ["What is the favourite colour of {e}?", "Which colour does {e} like best?", "What colour does {e} love?"],
            ["Which colour is the favourite of {e}?", "Name the colour that {e} prefers."],
            ["The car of {e} is painted {v}.", "{e} dislikes the colour {v}."]),
        new("instrument",
            ["cello", "flute", "harp", "banjo", "oboe", "trumpet", "piano", "drums", "violin", "accordion", "clarinet", "guitar", "bassoon", "trombone", "ukulele", "mandolin"],
            ["{e} plays the {v}.", "In the evenings {e} practises the {v}.", "{e} has played the {v} since childhood.", "{e} performs on the {v} in a local band.", "Music matters to {e}, who plays the {v}."],
            ["What instrument does {e} play?", "Which instrument does {e} practise?", "What does {e} play in the band?"],
            ["Which musical instrument is played by {e}?", "Name the instrument {e} plays."],
            ["The daughter of {e} plays the {v}.", "{e} never learned the {v}."]),
    ];

    /// <summary>Sentences that carry no attribute (<c>{e}</c> may appear).</summary>
    public static IReadOnlyList<string> Filler { get; } =
    [
        "{e} enjoys long walks on quiet evenings.", "Friends describe {e} as patient and kind.", "The weather was mild that spring.",
        "Local markets open early on Saturdays.", "{e} rarely watches television.", "The town library was rebuilt last year.",
        "{e} writes letters to old friends every month.", "Most mornings begin with a cup of tea.", "{e} keeps a small garden of herbs.",
        "The river floods every few winters.", "{e} laughs easily and talks slowly.", "Neighbours often ask {e} for advice.",
        "A new bakery opened on the main street.", "{e} collects old maps and postcards.", "Trains to the coast leave every hour.",
    ];

    /// <summary>Titles of an entity's first and second document.</summary>
    public static IReadOnlyList<string> Titles { get; } = ["Profile of {e}", "Notes on {e}", "A visit with {e}", "Meet {e}", "About {e}", "{e} in brief"];

    /// <summary>Syllables of generated names.</summary>
    public static IReadOnlyList<string> Onsets { get; } = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "st", "th", "sh"];

    /// <summary>Vowel parts of generated names.</summary>
    public static IReadOnlyList<string> Vowels { get; } = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"];

    /// <summary>Name endings.</summary>
    public static IReadOnlyList<string> Codas { get; } = ["", "", "n", "r", "l", "s", "x", "th", "nd", "m"];

    /// <summary>Products of the review-classification task.</summary>
    public static IReadOnlyList<string> Products { get; } = ["kettle", "lamp", "backpack", "blender", "umbrella", "jacket", "toaster", "headset", "chair", "bicycle", "camera", "mattress"];

    /// <summary>Words that make a review positive.</summary>
    public static IReadOnlyList<string> Positive { get; } = ["excellent", "sturdy", "reliable", "delightful", "superb", "comfortable", "flawless", "impressive", "pleasant", "wonderful"];

    /// <summary>Words that make a review negative.</summary>
    public static IReadOnlyList<string> Negative { get; } = ["flimsy", "faulty", "disappointing", "useless", "awful", "broken", "noisy", "uncomfortable", "dreadful", "shoddy"];

    /// <summary>Review sentences: <c>{p}</c> = product, <c>{w}</c> = a polar word.</summary>
    public static IReadOnlyList<string> ReviewTemplates { get; } =
    [
        "I bought the {p} last month and it feels {w}.", "The {p} arrived on Tuesday; honestly it is {w}.", "After a week with this {p}, my verdict: {w}.",
        "My sister gave me the {p} and I find it {w}.", "The {p} looks nice in the box, but in use it is {w}.", "Used the {p} daily for a month: {w}.",
    ];

    /// <summary>Neutral review sentences (<c>{p}</c> = product).</summary>
    public static IReadOnlyList<string> ReviewFiller { get; } =
    [
        "Delivery took three days.", "The {p} came in a blue box.", "I use the {p} mostly at weekends.", "The price was about average.",
        "It replaced my old {p}.", "The manual is short.", "I ordered it online.", "The {p} is the same size as my last one.",
    ];
}

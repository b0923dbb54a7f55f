namespace ViraLoop.Media.Visuals;

/// <summary>
/// Ties the look of a scene to what it says: words in the narration, keywords or visual description pick a
/// motif (water and sea life → drifting particles in ocean colours, space → particles on neon, technology →
/// geometry, nature → a landscape under a slow zoom…). English and Polish stems; the first match wins.
/// </summary>
public static class VisualMotifs
{
    public sealed record Motif(string Name, VisualStyle Style, string Palette, string[] English, string[] Polish);

    public static readonly IReadOnlyList<Motif> All =
    [
        new("water", VisualStyle.Particles, "ocean", ["ocean", "sea", "water", "wave", "fish", "octopus", "octopi", "whale", "shark", "coral", "river", "rain", "lake", "bubble"],
            ["morz", "wod", "fal", "ryb", "ośmiornic", "wieloryb", "rekin", "rzek", "deszcz", "jezior"]),
        new("space", VisualStyle.Particles, "neon", ["space", "star", "galax", "planet", "universe", "moon", "cosmos", "astronaut", "orbit", "black hole"],
            ["kosmos", "gwiazd", "galaktyk", "planet", "wszechświat", "księżyc", "orbit"]),
        new("technology", VisualStyle.Geometric, "neon", ["tech", "data", "code", "computer", "software", "robot", "network", "machine", "algorithm", "digital", "chip"],
            ["technolog", "dane", "danych", "kod", "komputer", "oprogramowa", "sieć", "sieci", "maszyn", "algorytm", "cyfrow"]),
        new("nature", VisualStyle.Zoom, "forest", ["nature", "forest", "mountain", "sun", "tree", "garden", "hill", "valley", "sunrise", "sunset", "landscape", "plant"],
            ["natur", "las", "góry", "górach", "słońc", "drzew", "ogród", "dolin", "krajobraz", "rośli"]),
        new("money", VisualStyle.Geometric, "sunset", ["money", "business", "growth", "invest", "market", "price", "profit", "economy", "budget"],
            ["pieniąd", "pieniędz", "biznes", "wzrost", "inwest", "rynek", "rynku", "cen", "zysk", "gospodar", "budżet"]),
        new("food", VisualStyle.Gradient, "sunset", ["food", "coffee", "cook", "recipe", "kitchen", "eat", "taste", "bread"],
            ["jedzeni", "kaw", "gotow", "przepis", "kuchni", "smak", "chleb"]),
    ];

    /// <summary>The first motif any word of <paramref name="text"/> starts with a stem of (short stems allow only a plural ending), or null.</summary>
    public static Motif? Match(string text, string language = "en")
    {
        var lower = text.ToLowerInvariant();
        var words = lower.Split((char[])[' ', ',', '.', '!', '?', ':', ';', '-', '"', '\'', '(', ')'], StringSplitOptions.RemoveEmptyEntries);
        foreach (var m in All)
            foreach (var stem in language == "pl" ? m.Polish : m.English)
                if (stem.Contains(' ') ? lower.Contains(stem) : words.Any(w => w.StartsWith(stem, StringComparison.Ordinal) && (stem.Length >= 4 || w.Length <= stem.Length + (language == "pl" ? 3 : 1))))
                    return m;
        return null;
    }
}

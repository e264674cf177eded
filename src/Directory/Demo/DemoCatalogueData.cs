namespace Netzwerk.Directory.Demo;

// Fixed reference data of the fictional Landkreis network: towns, partner kinds, target groups,
// organisation and service templates. Names are invented; towns and postcodes are real places.

public sealed record Town(string Name, string Postcode, string District, double Latitude, double Longitude, string AreaCode, int Weight);

public sealed record Category(string Code, string Name, string Group, string Description);

public sealed record TargetGroup(string Code, string Name);

public sealed record Lang(string Code, string Name);

/// <summary>Opening-hour profiles: (weekday 1–7, opens, closes) spans.</summary>
public enum HoursProfile { Counselling, Office, Daycare, Club, Shelter, Course }

public sealed record ServiceTemplate(
    string Name,
    string Description,
    string[] TargetGroups,
    int WaitMin, int WaitMax,
    HoursProfile Hours = HoursProfile.Counselling,
    int? MinAge = null, int? MaxAge = null,
    string? Eligibility = null,
    string[]? Documents = null,
    string? ExtraCategory = null,
    string? Cost = null);

public sealed record OrgTemplate(
    string Category,
    string[] Names,              // {town}, {carrier}, {name}
    string[] Carriers,
    string LegalStatus,
    string LegalBasis,
    string Payer,
    ServiceTemplate[] Services,
    string[]? ExtraLanguages = null);

public static class DemoCatalogueData
{
    public const string DistrictBautzen = "Landkreis Bautzen";

    public static readonly Town[] Towns =
    [
        new("Kamenz", "01917", DistrictBautzen, 51.2686, 14.0937, "03578", 10),
        new("Bautzen", "02625", DistrictBautzen, 51.1814, 14.4244, "03591", 14),
        new("Hoyerswerda", "02977", DistrictBautzen, 51.4378, 14.2486, "03571", 12),
        new("Radeberg", "01454", DistrictBautzen, 51.1130, 13.9110, "03528", 8),
        new("Bischofswerda", "01877", DistrictBautzen, 51.1275, 14.1797, "03594", 7),
        new("Pulsnitz", "01896", DistrictBautzen, 51.1833, 14.0122, "035955", 4),
        new("Königsbrück", "01936", DistrictBautzen, 51.2642, 13.9039, "035795", 3),
        new("Großröhrsdorf", "01900", DistrictBautzen, 51.1446, 14.0165, "035952", 3),
        new("Wilthen", "02681", DistrictBautzen, 51.0975, 14.3933, "03592", 3),
        new("Ottendorf-Okrilla", "01458", DistrictBautzen, 51.1790, 13.8270, "035205", 3),
        new("Wittichenau", "02997", DistrictBautzen, 51.3850, 14.2440, "035725", 2),
        new("Lauta", "02991", DistrictBautzen, 51.4470, 14.1000, "035722", 2),
        new("Bernsdorf", "02994", DistrictBautzen, 51.3720, 14.0680, "035723", 2),
        new("Elstra", "01920", DistrictBautzen, 51.2200, 14.1330, "035793", 1),
        new("Königswartha", "02699", DistrictBautzen, 51.3100, 14.3280, "035931", 1),
        new("Sohland an der Spree", "02689", DistrictBautzen, 51.0420, 14.4200, "035936", 1),
        new("Neukirch/Lausitz", "01904", DistrictBautzen, 51.0970, 14.3090, "035951", 1),
        new("Arnsdorf", "01477", DistrictBautzen, 51.0930, 13.9930, "035200", 1),
        new("Schirgiswalde-Kirschau", "02681", DistrictBautzen, 51.0900, 14.4300, "03592", 1),
        new("Weißenberg", "02627", DistrictBautzen, 51.1970, 14.6590, "035876", 1),
        new("Dresden", "01067", "Stadt Dresden", 51.0504, 13.7373, "0351", 4),
        new("Görlitz", "02826", "Landkreis Görlitz", 51.1528, 14.9872, "03581", 2),
        new("Löbau", "02708", "Landkreis Görlitz", 51.0990, 14.6670, "03585", 1),
        new("Großenhain", "01558", "Landkreis Meißen", 51.2890, 13.5330, "03522", 1),
        new("Senftenberg", "01968", "Landkreis Oberspreewald-Lausitz", 51.5250, 14.0010, "03573", 1),
    ];

    /// <summary>Further postcodes of the towns (for near=&lt;postcode&gt;), beyond each town's main one.</summary>
    public static readonly (string Postcode, string Town, double Lat, double Lon)[] ExtraPostcodes =
    [
        ("02625", "Bautzen", 51.1814, 14.4244), ("02627", "Bautzen", 51.2000, 14.4500), ("02977", "Hoyerswerda", 51.4378, 14.2486),
        ("01099", "Dresden", 51.0700, 13.7700), ("01307", "Dresden", 51.0500, 13.7900), ("02827", "Görlitz", 51.1300, 14.9700),
    ];

    public static readonly Category[] Categories =
    [
        new("schuldnerberatung", "Schuldnerberatung", "Soziale Integration (§16a SGB II)", "Schuldner- und Insolvenzberatung"),
        new("suchtberatung", "Suchtberatung", "Soziale Integration (§16a SGB II)", "Suchtberatung und Suchthilfe (Alkohol, Drogen, Medikamente, Glücksspiel)"),
        new("psychosoziale_betreuung", "Psychosoziale Betreuung", "Soziale Integration (§16a SGB II)", "Psychosoziale Beratung und Betreuung"),
        new("kinderbetreuung", "Kinderbetreuung", "Soziale Integration (§16a SGB II)", "Kita, Krippe, Hort und Kindertagespflege"),
        new("jugendamt", "Jugendamt / ASD", "Kommunale Ämter", "Jugendamt, Allgemeiner Sozialer Dienst, Kinderschutz"),
        new("gesundheitsamt", "Gesundheitsamt", "Kommunale Ämter", "Gesundheitsamt und Sozialpsychiatrischer Dienst"),
        new("sozialamt", "Sozialamt", "Kommunale Ämter", "Sozialamt, Hilfe zur Pflege, Grundsicherung"),
        new("jugendgerichtshilfe", "Jugendgerichtshilfe", "Kommunale Ämter", "Jugendhilfe im Strafverfahren"),
        new("betreuungsbehoerde", "Betreuungsbehörde", "Kommunale Ämter", "Rechtliche Betreuung und Vorsorge"),
        new("wohnungsamt", "Wohnungsamt / Wohnungsanbieter", "Kommunale Ämter", "Wohnungsamt, Wohngeld, Wohnungsnotfallhilfe, Vermieter"),
        new("bildungstraeger", "Bildungsträger", "Arbeitsmarkt", "Weiterbildung, Umschulung, Sprachkurse, Coaching"),
        new("beschaeftigungstraeger", "Beschäftigungsträger", "Arbeitsmarkt", "Beschäftigung und Qualifizierung"),
        new("arbeitsgelegenheiten", "Träger von Arbeitsgelegenheiten (§16d)", "Arbeitsmarkt", "Arbeitsgelegenheiten mit Mehraufwandsentschädigung"),
        new("kammern_verbaende", "Kammern und Verbände", "Arbeitsmarkt", "Handwerkskammer, IHK, Verbände"),
        new("agentur_fuer_arbeit", "Agentur für Arbeit", "Arbeitsmarkt", "Reha-Team, Ärztlicher und Berufspsychologischer Dienst"),
        new("familienberatung", "Familienberatung", "Beratung", "Erziehungs-, Ehe-, Familien- und Lebensberatung"),
        new("schwangerenkonfliktberatung", "Schwangerenkonfliktberatung", "Beratung", "Schwangerschafts- und Schwangerschaftskonfliktberatung"),
        new("migrationsberatung", "Migrationsberatung", "Beratung", "Migrationsberatung, Jugendmigrationsdienst, Flüchtlingssozialarbeit"),
        new("bewaehrungshilfe", "Bewährungshilfe", "Beratung", "Bewährungshilfe und Straffälligenhilfe"),
        new("gewaltschutz", "Frauenhaus / Gewaltschutz", "Beratung", "Schutz und Beratung bei häuslicher Gewalt"),
        new("vereine", "Vereine (Sport und Freizeit)", "Dritte", "Sport-, Kultur- und Freizeitvereine"),
        new("freie_jugendhilfe", "Freie Jugendhilfe", "Dritte", "Jugendhäuser, Streetwork, Schulsozialarbeit"),
        new("ehrenamt", "Ehrenamt", "Dritte", "Freiwilligenagenturen, Tafeln, Nachbarschaftshilfe"),
    ];

    public static readonly TargetGroup[] TargetGroups =
    [
        new("u25", "Junge Menschen unter 25 (U25)"),
        new("ue50", "Menschen über 50 (Ü50)"),
        new("alleinerziehende", "Alleinerziehende"),
        new("rehabilitanden", "Rehabilitanden / Menschen mit Behinderung"),
        new("aufstocker", "Aufstocker (Erwerbstätige im Leistungsbezug)"),
        new("selbststaendige", "Selbstständige"),
        new("migration", "Menschen mit Migrationsgeschichte"),
        new("langzeitleistungsbeziehende", "Langzeitleistungsbeziehende"),
        new("bedarfsgemeinschaft", "Bedarfsgemeinschaft / Familien"),
    ];

    public static readonly Lang German = new("de", "Deutsch");

    public static readonly (Lang Lang, double Probability)[] OtherLanguages =
    [
        (new("en", "Englisch"), 0.30), (new("ru", "Russisch"), 0.15), (new("uk", "Ukrainisch"), 0.15),
        (new("ar", "Arabisch"), 0.10), (new("pl", "Polnisch"), 0.10), (new("tr", "Türkisch"), 0.07),
        (new("cs", "Tschechisch"), 0.05), (new("hsb", "Sorbisch"), 0.06), (new("fa", "Persisch"), 0.04),
        (new("vi", "Vietnamesisch"), 0.03),
    ];

    public static Lang LanguageByCode(string code) =>
        code == "de" ? German : OtherLanguages.First(l => l.Lang.Code == code).Lang;

    public static readonly string[] Streets =
    [
        "Bahnhofstraße", "Hauptstraße", "Markt", "Dresdner Straße", "Goethestraße", "Schillerstraße", "Lessingstraße",
        "Gartenstraße", "Kirchstraße", "Weststraße", "Am Stadtpark", "Karl-Marx-Straße", "Friedensstraße",
        "Ernst-Thälmann-Straße", "Rosa-Luxemburg-Straße", "Lindenstraße", "Poststraße", "Töpferstraße",
        "Schulstraße", "Mühlweg", "Müllergasse", "Straße der Einheit", "Äußere Lauenstraße", "Löbauer Straße",
        "Pulsnitzer Straße", "Bautzener Straße", "Kamenzer Straße", "Wiesenweg", "Am Lindenhof", "Lausitzer Platz",
    ];

    public static readonly string[] FirstNames =
    [
        "Anke", "Birgit", "Claudia", "Daniela", "Katrin", "Kerstin", "Manuela", "Sandra", "Susanne", "Ines",
        "Andreas", "Frank", "Jens", "Matthias", "Michael", "Steffen", "Thomas", "Uwe", "René", "Sören",
        "Olga", "Natalia", "Ahmad", "Leyla", "Piotr", "Jana", "Lukas", "Marie",
    ];

    public static readonly string[] LastNames =
    [
        "Müller", "Schmidt", "Schulze", "Richter", "Krause", "Hoffmann", "Lehmann", "Kühn", "Zimmermann",
        "Schröter", "Böhme", "Günther", "Petzold", "Pietsch", "Kockel", "Nowak", "Wjeńka", "Hentschel", "Großmann", "Schäfer",
    ];

    public static readonly string[] KitaNames =
    [
        "Sonnenschein", "Regenbogen", "Pusteblume", "Spatzennest", "Zwergenland", "Kunterbunt", "Wirbelwind",
        "Löwenzahn", "Sonnenblume", "Märchenland", "Waldwichtel", "Kleine Strolche",
    ];

    public static readonly string[] Welfare = ["Diakonie", "Caritas", "AWO", "DRK", "Volkssolidarität", "Johanniter"];

    private static readonly string[] Debt = ["Aufstellung der Gläubiger und Forderungen", "Einkommensnachweise der letzten drei Monate", "Aktueller Bescheid des Jobcenters"];

    public static readonly OrgTemplate[] Templates =
    [
        new("schuldnerberatung", ["Schuldner- und Insolvenzberatung der {carrier} {town}", "Schuldnerberatungsstelle {town} ({carrier})"],
            ["Diakonie", "Caritas", "AWO", "Volkssolidarität", "Verbraucherzentrale Sachsen"], "e. V.", "§16a SGB II", "Landkreis Bautzen (kommunale Eingliederungsleistung)",
            [
                new("Schuldnerberatung", "Beratung bei Schulden und Zahlungsschwierigkeiten: Haushaltsplan, Verhandlung mit Gläubigern, Pfändungsschutzkonto (P-Konto), Existenzsicherung.",
                    ["langzeitleistungsbeziehende", "bedarfsgemeinschaft", "aufstocker"], 7, 60, Documents: Debt, Eligibility: "Menschen mit Wohnsitz im Landkreis, die Leistungen nach dem SGB II beziehen."),
                new("Insolvenzberatung (Verbraucherinsolvenz)", "Begleitung im Verbraucherinsolvenzverfahren als anerkannte Stelle nach §305 InsO, Bescheinigung über den außergerichtlichen Einigungsversuch.",
                    ["langzeitleistungsbeziehende", "selbststaendige"], 21, 120, Documents: Debt),
                new("Präventionskurs Umgang mit Geld", "Gruppenangebot für junge Erwachsene: Budget, Verträge, Handyschulden, Ratenkäufe.",
                    ["u25"], 0, 21, HoursProfile.Course, MinAge: 16, MaxAge: 27),
            ]),
        new("suchtberatung", ["Suchtberatungs- und Behandlungsstelle {town}", "Suchtberatung der {carrier} {town}"],
            ["Diakonie", "Caritas", "Drogenhilfe Sachsen e. V."], "e. V.", "§16a SGB II", "Landkreis Bautzen (kommunale Eingliederungsleistung)",
            [
                new("Suchtberatung Alkohol und Medikamente", "Beratung für Menschen mit Alkohol- oder Medikamentenproblemen und ihre Angehörigen, Vermittlung in Entgiftung und Therapie. Auf Wunsch anonym.",
                    ["langzeitleistungsbeziehende", "ue50"], 3, 28),
                new("Drogenberatung", "Beratung bei Konsum illegaler Drogen (Crystal, Cannabis, Opiate), Safer Use, Vermittlung in Substitution.",
                    ["u25"], 0, 14),
                new("Ambulante Suchthilfe und Nachsorge", "Ambulante Rehabilitation Sucht und Nachsorge nach stationärer Therapie, Gruppen am Abend.",
                    ["rehabilitanden"], 14, 60),
                new("Beratung bei Glücksspielsucht", "Beratung bei Glücksspiel, Sportwetten und exzessiver Mediennutzung.",
                    ["u25", "langzeitleistungsbeziehende"], 3, 21),
            ]),
        new("psychosoziale_betreuung", ["Psychosoziale Kontakt- und Beratungsstelle {town}", "Praxis für Psychotherapie Dr. {lastname}", "Tagesstätte für psychisch kranke Menschen {town}"],
            ["Diakonie", "AWO", "Lebenshilfe"], "gGmbH", "§16a SGB II", "Landkreis Bautzen (kommunale Eingliederungsleistung)",
            [
                new("Psychosoziale Betreuung", "Stabilisierende Beratung und Begleitung bei seelischen Belastungen, Krisen und Ängsten, Tagesstruktur.",
                    ["langzeitleistungsbeziehende", "rehabilitanden"], 7, 45),
                new("Offener Treff und Tagesstruktur", "Offener Treff mit Beschäftigungsangeboten, gemeinsames Mittagessen, Kreativgruppe.",
                    ["rehabilitanden", "ue50"], 0, 7, HoursProfile.Office),
            ]),
        new("kinderbetreuung", ["Kita {name} {town}", "Kindertagesstätte {name}", "Kindertagespflege {lastname}"],
            ["Stadt", "Volkssolidarität", "AWO", "Johanniter", "DRK"], "Kommunale Einrichtung", "§16a SGB II / SGB VIII", "Stadt bzw. Gemeinde",
            [
                new("Kinderbetreuung Krippe (1–3 Jahre)", "Ganztägige Betreuung in der Krippe, Eingewöhnung nach dem Berliner Modell, kurzfristige Plätze für Eltern in Arbeit oder Maßnahme.",
                    ["alleinerziehende", "bedarfsgemeinschaft"], 14, 120, HoursProfile.Daycare, Eligibility: "Eltern mit Kindern von 1 bis 3 Jahren.", Documents: ["Kita-Gutschein / Bescheid des Landratsamts"]),
                new("Kinderbetreuung Kindergarten (3–6 Jahre)", "Kindergarten mit Ganztagsbetreuung, Randzeitenbetreuung ab 6 Uhr.",
                    ["alleinerziehende", "bedarfsgemeinschaft"], 7, 90, HoursProfile.Daycare, Eligibility: "Eltern mit Kindern von 3 bis 6 Jahren."),
                new("Hort", "Betreuung von Grundschulkindern nach dem Unterricht und in den Ferien.",
                    ["alleinerziehende"], 7, 60, HoursProfile.Daycare),
            ]),
        new("jugendamt", ["Landratsamt Bautzen – Jugendamt, Außenstelle {town}", "Jugendamt {town}"],
            ["Landratsamt"], "Körperschaft des öffentlichen Rechts", "SGB VIII", "Landkreis Bautzen",
            [
                new("Allgemeiner Sozialer Dienst (ASD)", "Beratung und Unterstützung von Familien, Kinderschutz, Hilfen zur Erziehung, Inobhutnahme.",
                    ["bedarfsgemeinschaft", "alleinerziehende", "u25"], 0, 14, HoursProfile.Office),
                new("Beistandschaft und Unterhaltsvorschuss", "Beratung zu Unterhalt, Vaterschaftsfeststellung, Unterhaltsvorschuss.",
                    ["alleinerziehende"], 7, 30, HoursProfile.Office, Documents: ["Geburtsurkunde des Kindes", "Personalausweis"]),
                new("Hilfen zur Erziehung", "Sozialpädagogische Familienhilfe, Erziehungsbeistand, Hilfeplanverfahren.",
                    ["bedarfsgemeinschaft", "u25"], 14, 60, HoursProfile.Office),
            ]),
        new("gesundheitsamt", ["Landratsamt Bautzen – Gesundheitsamt {town}"],
            ["Landratsamt"], "Körperschaft des öffentlichen Rechts", "SächsGDG", "Landkreis Bautzen",
            [
                new("Sozialpsychiatrischer Dienst", "Beratung und Hilfe für psychisch kranke und suchtkranke Menschen und ihre Angehörigen, auch Hausbesuche.",
                    ["rehabilitanden", "langzeitleistungsbeziehende"], 3, 21, HoursProfile.Office),
                new("Amtsärztlicher Dienst", "Amtsärztliche Begutachtung der Erwerbsfähigkeit.",
                    ["rehabilitanden"], 14, 60, HoursProfile.Office),
            ]),
        new("sozialamt", ["Landratsamt Bautzen – Sozialamt {town}", "Sozialamt der Stadt {town}"],
            ["Landratsamt"], "Körperschaft des öffentlichen Rechts", "SGB XII", "Landkreis Bautzen",
            [
                new("Grundsicherung im Alter und bei Erwerbsminderung", "Antrag und Beratung zur Grundsicherung nach dem SGB XII.",
                    ["ue50", "rehabilitanden"], 7, 30, HoursProfile.Office),
                new("Bildung und Teilhabe", "Leistungen für Schulbedarf, Klassenfahrten, Mittagessen, Lernförderung und Vereinsbeiträge.",
                    ["bedarfsgemeinschaft", "alleinerziehende"], 0, 14, HoursProfile.Office),
            ]),
        new("jugendgerichtshilfe", ["Jugendgerichtshilfe {town}"],
            ["Landratsamt"], "Körperschaft des öffentlichen Rechts", "SGB VIII §52", "Landkreis Bautzen",
            [
                new("Jugendhilfe im Strafverfahren", "Begleitung junger Menschen im Strafverfahren, Vermittlung von Arbeitsauflagen und sozialen Trainingskursen.",
                    ["u25"], 0, 14, HoursProfile.Office, MinAge: 14, MaxAge: 21),
            ]),
        new("betreuungsbehoerde", ["Betreuungsbehörde {town}"],
            ["Landratsamt"], "Körperschaft des öffentlichen Rechts", "BtOG", "Landkreis Bautzen",
            [
                new("Beratung zu rechtlicher Betreuung und Vorsorgevollmacht", "Information über rechtliche Betreuung, Vorsorgevollmacht und andere Hilfen, Beglaubigung von Vollmachten.",
                    ["ue50", "rehabilitanden"], 7, 30, HoursProfile.Office, MinAge: 18),
            ]),
        new("wohnungsamt", ["Wohnungsbaugesellschaft {town} mbH", "Wohnungsgenossenschaft {town} eG", "Wohnungsnotfallhilfe {town} ({carrier})"],
            ["Diakonie", "Caritas", "Stadt"], "GmbH", "§67 SGB XII / Eigenmittel", "Eigenmittel",
            [
                new("Wohnungsvermittlung", "Vermittlung von Mietwohnungen, auch für Leistungsbeziehende mit Kostenübernahme durch das Jobcenter.",
                    ["bedarfsgemeinschaft", "alleinerziehende", "migration"], 7, 90, HoursProfile.Office, Documents: ["Mietschuldenfreiheitsbescheinigung", "Bescheid des Jobcenters"]),
                new("Wohnungsnotfallhilfe", "Beratung bei drohendem Wohnungsverlust, Räumungsklage und Mietschulden; Notunterkunft.",
                    ["langzeitleistungsbeziehende"], 0, 7, HoursProfile.Counselling),
            ]),
        new("bildungstraeger", ["Bildungswerk {town} gGmbH", "{carrier} Akademie {town}", "Volkshochschule {town}", "Berufsbildungszentrum {town}"],
            ["DEKRA", "TÜV Rheinland", "Bildungswerk der Sächsischen Wirtschaft", "Grone"], "gGmbH", "§16 SGB II i. V. m. §45 SGB III", "Jobcenter Landkreis Bautzen",
            [
                new("Umschulung Kaufmann/Kauffrau für Büromanagement", "Zweijährige Umschulung mit IHK-Abschluss, Teilzeit möglich.",
                    ["alleinerziehende", "langzeitleistungsbeziehende"], 14, 90, HoursProfile.Course, Documents: ["Bildungsgutschein"]),
                new("Berufssprachkurs Deutsch B1/B2", "Berufsbezogene Deutschsprachförderung (DeuFöV) mit Fachsprache.",
                    ["migration"], 7, 60, HoursProfile.Course),
                new("Integrationskurs", "Integrationskurs mit Orientierungskurs, auch mit Kinderbetreuung.",
                    ["migration"], 7, 60, HoursProfile.Course),
                new("Bewerbungscoaching (AVGS)", "Einzelcoaching mit Aktivierungs- und Vermittlungsgutschein: Bewerbungsunterlagen, Vorstellungsgespräch.",
                    ["langzeitleistungsbeziehende", "ue50", "u25"], 0, 21, HoursProfile.Course, Documents: ["Aktivierungs- und Vermittlungsgutschein (AVGS)"]),
                new("Qualifizierung Pflegehelfer/in", "Qualifizierung zur Pflegehilfskraft mit Praktikum in Pflegeeinrichtungen.",
                    ["ue50", "migration"], 14, 60, HoursProfile.Course),
                new("Gabelstaplerschein", "Ausbildung zum Flurförderzeugführer mit Prüfung.",
                    ["langzeitleistungsbeziehende"], 7, 30, HoursProfile.Course, MinAge: 18),
            ]),
        new("beschaeftigungstraeger", ["Beschäftigungsgesellschaft {town} mbH", "{carrier} Arbeit und Qualifizierung {town}"],
            ["Diakonie", "AWO", "Caritas"], "gGmbH", "§16i SGB II", "Jobcenter Landkreis Bautzen",
            [
                new("Sozialkaufhaus", "Beschäftigung im Sozialkaufhaus: Verkauf, Lager, Möbelabholung.",
                    ["langzeitleistungsbeziehende", "ue50"], 7, 30, HoursProfile.Office),
                new("Fahrradwerkstatt", "Beschäftigung und Anleitung in der Fahrradwerkstatt.",
                    ["u25", "langzeitleistungsbeziehende"], 7, 30, HoursProfile.Office),
                new("Teilhabe am Arbeitsmarkt (§16i)", "Geförderte sozialversicherungspflichtige Beschäftigung mit ganzheitlichem Coaching.",
                    ["langzeitleistungsbeziehende"], 14, 60, HoursProfile.Office),
            ]),
        new("arbeitsgelegenheiten", ["{carrier} Arbeitsgelegenheiten {town}", "Tafel {town} e. V."],
            ["Diakonie", "Volkssolidarität", "Kreissportbund"], "e. V.", "§16d SGB II", "Jobcenter Landkreis Bautzen",
            [
                new("Arbeitsgelegenheit Grünpflege und Landschaftspflege", "Arbeitsgelegenheit mit Mehraufwandsentschädigung in der Pflege öffentlicher Grünflächen.",
                    ["langzeitleistungsbeziehende"], 0, 21, HoursProfile.Office, MinAge: 25),
                new("Arbeitsgelegenheit Lebensmittelausgabe", "Mitarbeit bei der Lebensmittelausgabe der Tafel.",
                    ["langzeitleistungsbeziehende", "ue50"], 0, 14, HoursProfile.Office),
            ]),
        new("kammern_verbaende", ["Handwerkskammer Dresden – Geschäftsstelle {town}", "IHK Dresden – Geschäftsstelle {town}", "Kreishandwerkerschaft {town}"],
            ["Kammer"], "Körperschaft des öffentlichen Rechts", "Eigenmittel", "Eigenmittel",
            [
                new("Ausbildungsberatung und Lehrstellenbörse", "Beratung zu Ausbildung, Lehrstellenbörse, Anerkennung ausländischer Abschlüsse.",
                    ["u25", "migration"], 0, 14, HoursProfile.Office),
                new("Existenzgründungsberatung", "Beratung zur Gründung und Sicherung selbstständiger Existenzen, Tragfähigkeitsbescheinigung.",
                    ["selbststaendige", "aufstocker"], 7, 30, HoursProfile.Office),
            ]),
        new("agentur_fuer_arbeit", ["Agentur für Arbeit Bautzen – Geschäftsstelle {town}"],
            ["Bundesagentur für Arbeit"], "Körperschaft des öffentlichen Rechts", "SGB III", "Bundesagentur für Arbeit",
            [
                new("Berufliche Rehabilitation (Reha-Team)", "Beratung und Leistungen zur Teilhabe am Arbeitsleben für Menschen mit Behinderung.",
                    ["rehabilitanden"], 14, 45, HoursProfile.Office),
                new("Ärztlicher Dienst", "Sozialmedizinische Begutachtung der Leistungsfähigkeit.",
                    ["rehabilitanden"], 21, 60, HoursProfile.Office),
                new("Berufspsychologischer Service", "Psychologische Eignungsuntersuchung und Beratung.",
                    ["u25", "rehabilitanden"], 21, 60, HoursProfile.Office),
            ]),
        new("familienberatung", ["Erziehungs- und Familienberatungsstelle {town}", "Ehe-, Familien- und Lebensberatung der {carrier} {town}"],
            ["Caritas", "Diakonie", "AWO"], "e. V.", "SGB VIII §28", "Landkreis Bautzen",
            [
                new("Erziehungs- und Familienberatung", "Beratung bei Erziehungsfragen, Trennung und Scheidung, Umgangsregelung.",
                    ["alleinerziehende", "bedarfsgemeinschaft"], 7, 45),
                new("Ehe- und Lebensberatung", "Beratung für Paare und Einzelne in Lebenskrisen.",
                    ["bedarfsgemeinschaft"], 14, 45),
            ]),
        new("schwangerenkonfliktberatung", ["Schwangerschaftsberatungsstelle {town} ({carrier})"],
            ["pro familia", "Diakonie", "DRK"], "e. V.", "SchKG", "Land Sachsen",
            [
                new("Schwangerschafts- und Schwangerschaftskonfliktberatung", "Beratung nach §§2 und 5 SchKG, Beratungsschein, finanzielle Hilfen (Stiftung Mutter und Kind).",
                    ["alleinerziehende", "u25"], 0, 5),
            ]),
        new("migrationsberatung", ["Migrationsberatung {town} ({carrier})", "Jugendmigrationsdienst {town}"],
            ["Caritas", "Diakonie", "DRK", "AWO"], "e. V.", "Bundesmittel (BAMF)", "Bundesamt für Migration und Flüchtlinge",
            [
                new("Migrationsberatung für erwachsene Zuwanderer (MBE)", "Beratung zu Aufenthalt, Integrationskurs, Anerkennung von Abschlüssen, Behördenpost.",
                    ["migration"], 0, 21, MinAge: 27),
                new("Jugendmigrationsdienst (JMD)", "Begleitung junger Zugewanderter bei Schule, Ausbildung und Beruf.",
                    ["migration", "u25"], 0, 14, MinAge: 12, MaxAge: 27),
                new("Flüchtlingssozialarbeit", "Sozialberatung für Geflüchtete in Gemeinschaftsunterkünften und Wohnungen.",
                    ["migration", "bedarfsgemeinschaft"], 0, 14),
            ], ["ar", "uk", "ru", "fa", "en"]),
        new("bewaehrungshilfe", ["Soziale Dienste der Justiz – Bewährungshilfe {town}", "Straffälligenhilfe {town} e. V."],
            ["Land Sachsen"], "Landesbehörde", "StGB §56d", "Freistaat Sachsen",
            [
                new("Bewährungshilfe", "Betreuung und Aufsicht während der Bewährungszeit, Unterstützung bei Arbeit und Wohnung.",
                    ["langzeitleistungsbeziehende"], 0, 14, HoursProfile.Office, MinAge: 14),
                new("Übergangsmanagement nach der Haft", "Vorbereitung der Entlassung, Wohnung, Arbeit, Schuldenregulierung.",
                    ["langzeitleistungsbeziehende"], 7, 30, MinAge: 18),
            ]),
        new("gewaltschutz", ["Frauenschutzhaus {town}", "Interventions- und Koordinierungsstelle gegen häusliche Gewalt {town}"],
            ["AWO", "Diakonie", "Frauen helfen Frauen e. V."], "e. V.", "Land Sachsen / Landkreis", "Landkreis Bautzen",
            [
                new("Frauenschutzhaus", "Schutz und Unterkunft für Frauen und ihre Kinder bei häuslicher Gewalt, rund um die Uhr erreichbar.",
                    ["alleinerziehende", "bedarfsgemeinschaft"], 0, 2, HoursProfile.Shelter),
                new("Beratung bei häuslicher Gewalt", "Beratung nach Polizeieinsatz, Gewaltschutzanträge, Begleitung.",
                    ["alleinerziehende"], 0, 7),
            ]),
        new("vereine", ["SV Einheit {town} e. V.", "Turnverein {town} e. V.", "Heimatverein {town} e. V.", "Kulturverein {town} e. V."],
            ["Verein"], "e. V.", "Eigenmittel", "Eigenmittel",
            [
                new("Sport für Erwachsene", "Fitness, Gymnastik und Ballsport in der Gruppe, Schnuppertraining kostenlos.",
                    ["langzeitleistungsbeziehende", "ue50"], 0, 7, HoursProfile.Club, Cost: "Mitgliedsbeitrag 8 € im Monat, ermäßigt über Bildung und Teilhabe"),
                new("Kinder- und Jugendsport", "Fußball, Leichtathletik und Turnen für Kinder und Jugendliche.",
                    ["bedarfsgemeinschaft", "u25"], 0, 14, HoursProfile.Club, MaxAge: 18, Cost: "Beitrag über Bildung und Teilhabe erstattungsfähig"),
                new("Mitmachen im Verein", "Ehrenamtliche Mitarbeit bei Festen, Vereinsmesse und Vereinsleben.",
                    ["ue50", "migration"], 0, 7, HoursProfile.Club),
            ]),
        new("freie_jugendhilfe", ["Jugendhaus {town}", "Streetwork {town} ({carrier})", "Schulsozialarbeit {town}"],
            ["Outlaw gGmbH", "AWO", "Diakonie", "Caritas"], "gGmbH", "SGB VIII §§11–13", "Landkreis Bautzen",
            [
                new("Offene Kinder- und Jugendarbeit", "Offener Treff, Bewerbungshilfe, Freizeitangebote für Jugendliche.",
                    ["u25"], 0, 3, HoursProfile.Club, MinAge: 12, MaxAge: 26),
                new("Streetwork und mobile Jugendarbeit", "Aufsuchende Arbeit mit jungen Menschen, Begleitung zu Ämtern.",
                    ["u25"], 0, 3, MinAge: 14, MaxAge: 26),
                new("Jugendberufshilfe", "Unterstützung beim Übergang Schule–Beruf, Ausbildungsbegleitung.",
                    ["u25"], 0, 14, MinAge: 15, MaxAge: 25),
            ]),
        new("ehrenamt", ["Freiwilligenagentur {town}", "Tafel {town} e. V.", "Nachbarschaftshilfe {town}"],
            ["Verein"], "e. V.", "Eigenmittel", "Eigenmittel",
            [
                new("Ehrenamtsvermittlung", "Vermittlung in ehrenamtliche Tätigkeiten, Ehrenamtsbörse und Vereinsmesse.",
                    ["ue50", "langzeitleistungsbeziehende", "migration"], 0, 7),
                new("Lebensmittelausgabe", "Ausgabe von Lebensmitteln gegen geringen Beitrag.",
                    ["bedarfsgemeinschaft", "langzeitleistungsbeziehende"], 0, 0, HoursProfile.Club, Documents: ["Bescheid des Jobcenters oder Sozialamts"], Cost: "2 € je Einkauf"),
                new("Paten- und Lotsenprojekt", "Ehrenamtliche Lotsen begleiten zu Ämtern und Arztbesuchen.",
                    ["migration", "ue50"], 0, 14),
            ]),
    ];
}

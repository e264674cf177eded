using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Referrals.Consents;

/// <summary>A language the declaration is offered in: its code, German name, HTML language tag and writing direction.</summary>
public sealed record ConsentLanguage(string Code, string GermanName, string HtmlLang, bool RightToLeft);

/// <summary>
/// The wording of the consent declaration, per language and version (table <c>referrals.consent_texts</c>, immutable rows).
/// Netzwerkkoordination and Datenschutz add versions; a consent stores the language and version it was given on, so a later
/// change never alters what someone signed. The German text is printed beside every translation as the binding one.
/// </summary>
public static class ConsentTexts
{
    public const string German = "de";

    public static readonly IReadOnlyList<ConsentLanguage> Languages =
    [
        new(German, "Deutsch", "de", false),
        new("leicht", "Leichte Sprache", "de", false),
        new("en", "Englisch", "en", false),
        new("ar", "Arabisch", "ar", true),
        new("uk", "Ukrainisch", "uk", false),
        new("ru", "Russisch", "ru", false),
        new("tr", "Türkisch", "tr", false),
    ];

    public static ConsentLanguage? Language(string? code) => Languages.FirstOrDefault(l => l.Code == code);

    /// <summary>Every text of a version has these keys; a new version must fill all of them.</summary>
    public static readonly IReadOnlyList<(string Key, string Label)> Keys =
    [
        ("title", "Überschrift"), ("intro", "Einleitung"), ("recipient", "Empfänger"), ("purpose", "Zweck"),
        ("categories", "Datenkategorien (Überschrift)"), ("cat.contact-data", "Kontaktdaten"), ("cat.referral-reason", "Anlass der Verweisung"),
        ("cat.documents", "Unterlagen"), ("cat.health-addiction", "Gesundheit und Sucht (Art. 9 DSGVO)"),
        ("feedback", "Rückmeldung (Überschrift)"), ("fb.attendance", "Nur Teilnahme"), ("fb.outcome", "Teilnahme und Ergebnis"),
        ("fb.full", "Teilnahme, Verlauf und Ergebnis"), ("fb.nothing-else", "Keine weiteren Rückmeldungen"),
        ("expiry", "Gültigkeit (Überschrift)"), ("expiry.until", "Gültig bis ({0} = Datum)"), ("expiry.none", "Gültig bis zum Widerruf"),
        ("voluntary", "Freiwilligkeit"), ("revoke", "Widerruf (Überschrift)"), ("revoke.text", "Widerruf: Recht und Weg"),
        ("guardian", "Gesetzliche Vertretung (Hinweis)"), ("name", "Name der Person"), ("signature", "Unterschrift der Person"),
        ("signature.guardian", "Unterschrift der gesetzlichen Vertretung"), ("binding", "Hinweis: der deutsche Text ist verbindlich"),
        ("confirm", "Digitale Bestätigung (Kästchen)"), ("confirm.name", "Digitale Bestätigung (Name eingeben)"),
        ("slip.title", "Verweisungsschein: Überschrift"), ("slip.intro", "Verweisungsschein: Einleitung"), ("slip.where", "Verweisungsschein: Adresse"),
        ("slip.hours", "Verweisungsschein: Öffnungszeiten"), ("slip.phone", "Verweisungsschein: Telefon"), ("slip.appointment", "Verweisungsschein: Termin"),
        ("slip.no-appointment", "Verweisungsschein: noch kein Termin"), ("slip.shared", "Verweisungsschein: geteilte Daten"),
    ];

    public static IReadOnlyDictionary<string, string> BuiltIn(string language) => Defaults[language];

    private static readonly Dictionary<string, Dictionary<string, string>> Defaults = new()
    {
        [German] = new()
        {
            ["slip.title"] = "Verweisungsschein",
            ["slip.intro"] = "Ihre Fallmanagerin oder Ihr Fallmanager im Jobcenter hat Sie an diese Stelle verwiesen.",
            ["slip.where"] = "Adresse",
            ["slip.hours"] = "Öffnungszeiten",
            ["slip.phone"] = "Telefon",
            ["slip.appointment"] = "Ihr Termin",
            ["slip.no-appointment"] = "Noch kein Termin: Die Stelle meldet sich bei Ihnen, oder rufen Sie dort an.",
            ["slip.shared"] = "Diese Daten hat das Jobcenter mit Ihrer Einwilligung an diese Stelle gegeben",
            ["title"] = "Einwilligung in die Übermittlung von Sozialdaten",
            ["intro"] = "Ich willige ein, dass das Jobcenter die unten angekreuzten Daten an den genannten Empfänger für den genannten Zweck übermittelt.",
            ["recipient"] = "Empfänger", ["purpose"] = "Zweck",
            ["categories"] = "Diese Daten dürfen übermittelt werden",
            ["cat.contact-data"] = "Kontaktdaten (Name, Anschrift, Telefon, E-Mail)",
            ["cat.referral-reason"] = "Anlass der Verweisung (worum es geht)",
            ["cat.documents"] = "Unterlagen, die ich dafür vorlege",
            ["cat.health-addiction"] = "Gesundheits- und Suchtinformationen – besondere Kategorie personenbezogener Daten (Art. 9 Abs. 2 lit. a DSGVO): hierin willige ich ausdrücklich und gesondert ein",
            ["feedback"] = "Das darf der Empfänger an das Jobcenter zurückmelden",
            ["fb.attendance"] = "nur, ob ich Termine wahrgenommen habe (ja/nein), und die Terminabsprache",
            ["fb.outcome"] = "ob ich Termine wahrgenommen habe und das Ergebnis (erreicht / nicht erreicht mit Grund)",
            ["fb.full"] = "ob ich Termine wahrgenommen habe, kurze Berichte zum Verlauf und das Ergebnis",
            ["fb.nothing-else"] = "Weitere Inhalte der Beratung werden nicht an das Jobcenter weitergegeben.",
            ["expiry"] = "Gültigkeit",
            ["expiry.until"] = "Diese Einwilligung gilt bis zum {0}.",
            ["expiry.none"] = "Diese Einwilligung gilt, bis ich sie widerrufe oder der Zweck erreicht ist.",
            ["voluntary"] = "Die Einwilligung ist freiwillig. Wenn ich nicht einwillige oder sie widerrufe, werden mir deswegen keine Leistungen gekürzt.",
            ["revoke"] = "Widerruf",
            ["revoke.text"] = "Ich kann diese Einwilligung jederzeit ohne Angabe von Gründen mit Wirkung für die Zukunft widerrufen (Art. 7 Abs. 3 DSGVO, § 67b Abs. 2 SGB X). Es genügt eine formlose Mitteilung an meine Fallmanagerin oder meinen Fallmanager im Jobcenter – mündlich, schriftlich oder per E-Mail. Danach erhält der Empfänger keine Daten mehr und meldet nichts mehr zurück. Was bis zum Widerruf übermittelt wurde, bleibt rechtmäßig.",
            ["guardian"] = "Bei Minderjährigen willigt zusätzlich die oder der Sorgeberechtigte ein, bei rechtlicher Betreuung die Betreuerin oder der Betreuer. Jede oder jeder von ihnen kann widerrufen.",
            ["name"] = "Name, Vorname",
            ["signature"] = "Ort, Datum, Unterschrift der Kundin / des Kunden",
            ["signature.guardian"] = "Ort, Datum, Name und Unterschrift der/des Sorgeberechtigten bzw. der rechtlichen Betreuerin / des rechtlichen Betreuers",
            ["binding"] = "Verbindlich ist der deutsche Text.",
            ["confirm"] = "Ich habe den Text gelesen und willige ein.",
            ["confirm.name"] = "Mein Name (als Bestätigung)",
        },
        ["leicht"] = new()
        {
            ["slip.title"] = "Ihr Zettel für die Hilfe",
            ["slip.intro"] = "Das Jobcenter schickt Sie zu dieser Stelle. Dort bekommen Sie Hilfe.",
            ["slip.where"] = "Hier ist die Stelle",
            ["slip.hours"] = "Dann ist die Stelle offen",
            ["slip.phone"] = "Telefon-Nummer",
            ["slip.appointment"] = "Ihr Termin",
            ["slip.no-appointment"] = "Sie haben noch keinen Termin. Die Stelle ruft Sie an. Oder Sie rufen dort an.",
            ["slip.shared"] = "Diese Daten hat die Stelle vom Jobcenter bekommen. Sie haben Ja gesagt.",
            ["title"] = "Sie erlauben: Das Jobcenter gibt Daten weiter",
            ["intro"] = "Das Jobcenter will Ihnen helfen. Dafür gibt das Jobcenter einige Daten an eine andere Stelle. Das darf das Jobcenter nur mit Ihrer Erlaubnis.",
            ["recipient"] = "Diese Stelle bekommt die Daten", ["purpose"] = "Dafür",
            ["categories"] = "Diese Daten bekommt die Stelle",
            ["cat.contact-data"] = "Ihr Name, Ihre Adresse, Ihre Telefon-Nummer, Ihre E-Mail",
            ["cat.referral-reason"] = "Warum Sie Hilfe brauchen",
            ["cat.documents"] = "Ihre Papiere für die Hilfe",
            ["cat.health-addiction"] = "Daten über Ihre Gesundheit oder Sucht. Das sind besonders geschützte Daten. Dafür brauchen wir extra Ihre Erlaubnis.",
            ["feedback"] = "Das sagt die Stelle dem Jobcenter",
            ["fb.attendance"] = "Nur: Waren Sie beim Termin? Ja oder nein.",
            ["fb.outcome"] = "Waren Sie beim Termin? Und: Hat die Hilfe geklappt?",
            ["fb.full"] = "Waren Sie beim Termin? Wie läuft die Hilfe? Hat die Hilfe geklappt?",
            ["fb.nothing-else"] = "Mehr sagt die Stelle dem Jobcenter nicht.",
            ["expiry"] = "Wie lange gilt die Erlaubnis?",
            ["expiry.until"] = "Die Erlaubnis gilt bis zum {0}.",
            ["expiry.none"] = "Die Erlaubnis gilt, bis Sie Nein sagen.",
            ["voluntary"] = "Sie müssen nicht Ja sagen. Wenn Sie Nein sagen, bekommen Sie trotzdem Ihr Geld.",
            ["revoke"] = "Sie können Ihre Meinung ändern",
            ["revoke.text"] = "Sie können die Erlaubnis jederzeit zurücknehmen. Sie müssen keinen Grund sagen. Sagen Sie es Ihrer Fallmanagerin oder Ihrem Fallmanager im Jobcenter. Sie können es sagen, schreiben oder mailen. Dann bekommt die Stelle keine Daten mehr.",
            ["guardian"] = "Sie sind unter 18 Jahre alt oder haben eine Betreuerin oder einen Betreuer? Dann muss diese Person auch unterschreiben.",
            ["name"] = "Ihr Name",
            ["signature"] = "Ort, Datum, Ihre Unterschrift",
            ["signature.guardian"] = "Ort, Datum, Name und Unterschrift von Eltern oder Betreuerin oder Betreuer",
            ["binding"] = "Es gilt der Text in schwerer Sprache.",
            ["confirm"] = "Ich habe den Text gelesen. Ich sage Ja.",
            ["confirm.name"] = "Schreiben Sie Ihren Namen",
        },
        ["en"] = new()
        {
            ["slip.title"] = "Referral slip",
            ["slip.intro"] = "Your case manager at the job centre has referred you to this service.",
            ["slip.where"] = "Address",
            ["slip.hours"] = "Opening hours",
            ["slip.phone"] = "Phone",
            ["slip.appointment"] = "Your appointment",
            ["slip.no-appointment"] = "No appointment yet: the service will contact you, or you can call them.",
            ["slip.shared"] = "These data were passed to this service by the job centre with your consent",
            ["title"] = "Consent to the transfer of social data",
            ["intro"] = "I consent to the job centre passing the data ticked below to the recipient named, for the purpose named.",
            ["recipient"] = "Recipient", ["purpose"] = "Purpose",
            ["categories"] = "These data may be passed on",
            ["cat.contact-data"] = "Contact details (name, address, phone, e-mail)",
            ["cat.referral-reason"] = "Reason for the referral (what it is about)",
            ["cat.documents"] = "Documents I provide for it",
            ["cat.health-addiction"] = "Health and addiction information – a special category of personal data (Art. 9(2)(a) GDPR): I consent to this explicitly and separately",
            ["feedback"] = "What the recipient may report back to the job centre",
            ["fb.attendance"] = "only whether I attended appointments (yes/no) and the appointment arrangements",
            ["fb.outcome"] = "whether I attended appointments and the result (achieved / not achieved with a reason)",
            ["fb.full"] = "whether I attended appointments, short progress reports and the result",
            ["fb.nothing-else"] = "Nothing else from the counselling is passed to the job centre.",
            ["expiry"] = "Validity",
            ["expiry.until"] = "This consent is valid until {0}.",
            ["expiry.none"] = "This consent is valid until I withdraw it or the purpose has been achieved.",
            ["voluntary"] = "Consent is voluntary. If I do not consent or withdraw it, my benefits will not be reduced because of that.",
            ["revoke"] = "Withdrawal",
            ["revoke.text"] = "I can withdraw this consent at any time without giving reasons, with effect for the future (Art. 7(3) GDPR, § 67b(2) SGB X). An informal message to my case manager at the job centre is enough – in person, in writing or by e-mail. After that the recipient receives no more data and reports nothing back. What was passed on before the withdrawal remains lawful.",
            ["guardian"] = "For minors the person with parental responsibility also consents; under legal guardianship the legal guardian does. Each of them can withdraw.",
            ["name"] = "Surname, first name",
            ["signature"] = "Place, date, signature of the client",
            ["signature.guardian"] = "Place, date, name and signature of the parent or legal guardian",
            ["binding"] = "The German text is binding.",
            ["confirm"] = "I have read the text and I consent.",
            ["confirm.name"] = "My name (as confirmation)",
        },
        ["ar"] = new()
        {
            ["slip.title"] = "ورقة الإحالة",
            ["slip.intro"] = "أحالك مدير حالتك في مركز العمل إلى هذه الجهة.",
            ["slip.where"] = "العنوان",
            ["slip.hours"] = "أوقات العمل",
            ["slip.phone"] = "الهاتف",
            ["slip.appointment"] = "موعدك",
            ["slip.no-appointment"] = "لا يوجد موعد بعد: ستتواصل معك الجهة، أو يمكنك الاتصال بها.",
            ["slip.shared"] = "هذه البيانات أرسلها مركز العمل إلى هذه الجهة بموافقتك",
            ["title"] = "الموافقة على نقل البيانات الاجتماعية",
            ["intro"] = "أوافق على أن يرسل مركز العمل (Jobcenter) البيانات المؤشر عليها أدناه إلى الجهة المذكورة وللغرض المذكور.",
            ["recipient"] = "الجهة المستلمة", ["purpose"] = "الغرض",
            ["categories"] = "البيانات المسموح بنقلها",
            ["cat.contact-data"] = "بيانات الاتصال (الاسم، العنوان، الهاتف، البريد الإلكتروني)",
            ["cat.referral-reason"] = "سبب الإحالة (موضوع المساعدة)",
            ["cat.documents"] = "المستندات التي أقدمها لذلك",
            ["cat.health-addiction"] = "معلومات عن الصحة والإدمان – فئة خاصة من البيانات الشخصية (المادة 9 (2) (أ) من اللائحة العامة لحماية البيانات): أوافق على ذلك صراحةً وبشكل منفصل",
            ["feedback"] = "ما يجوز للجهة المستلمة إبلاغه لمركز العمل",
            ["fb.attendance"] = "فقط هل حضرت المواعيد (نعم/لا) وترتيب المواعيد",
            ["fb.outcome"] = "هل حضرت المواعيد والنتيجة (تحققت / لم تتحقق مع السبب)",
            ["fb.full"] = "هل حضرت المواعيد، وتقارير قصيرة عن سير المساعدة، والنتيجة",
            ["fb.nothing-else"] = "لا يُبلَّغ مركز العمل بأي محتوى آخر من الاستشارة.",
            ["expiry"] = "مدة الصلاحية",
            ["expiry.until"] = "هذه الموافقة سارية حتى {0}.",
            ["expiry.none"] = "هذه الموافقة سارية حتى أسحبها أو يتحقق الغرض.",
            ["voluntary"] = "الموافقة طوعية. إذا لم أوافق أو سحبت موافقتي فلن تُخفَّض مستحقاتي بسبب ذلك.",
            ["revoke"] = "سحب الموافقة",
            ["revoke.text"] = "يمكنني سحب هذه الموافقة في أي وقت ودون ذكر أسباب، ويسري ذلك على المستقبل (المادة 7 (3) من اللائحة العامة لحماية البيانات، المادة 67ب (2) من الكتاب العاشر من قانون الضمان الاجتماعي). يكفي إبلاغ مدير حالتي في مركز العمل شفهيًا أو كتابيًا أو بالبريد الإلكتروني. بعد ذلك لا تتلقى الجهة أي بيانات ولا تبلغ بشيء. ما نُقل قبل السحب يبقى مشروعًا.",
            ["guardian"] = "بالنسبة للقاصرين يوافق أيضًا ولي الأمر، وفي حالة الوصاية القانونية يوافق الوصي القانوني. ويحق لكل منهم سحب الموافقة.",
            ["name"] = "الاسم الكامل",
            ["signature"] = "المكان، التاريخ، توقيع العميل / العميلة",
            ["signature.guardian"] = "المكان، التاريخ، اسم وتوقيع ولي الأمر أو الوصي القانوني",
            ["binding"] = "النص الألماني هو النص الملزم.",
            ["confirm"] = "قرأت النص وأوافق.",
            ["confirm.name"] = "اسمي (للتأكيد)",
        },
        ["uk"] = new()
        {
            ["slip.title"] = "Направлення",
            ["slip.intro"] = "Ваш кейс-менеджер у джобцентрі направив вас до цієї служби.",
            ["slip.where"] = "Адреса",
            ["slip.hours"] = "Години роботи",
            ["slip.phone"] = "Телефон",
            ["slip.appointment"] = "Ваша зустріч",
            ["slip.no-appointment"] = "Зустрічі ще немає: служба зв'яжеться з вами, або зателефонуйте туди.",
            ["slip.shared"] = "Ці дані джобцентр передав цій службі з вашої згоди",
            ["title"] = "Згода на передачу соціальних даних",
            ["intro"] = "Я погоджуюся, щоб джобцентр передав позначені нижче дані зазначеному отримувачу для зазначеної мети.",
            ["recipient"] = "Отримувач", ["purpose"] = "Мета",
            ["categories"] = "Ці дані можна передати",
            ["cat.contact-data"] = "Контактні дані (ім'я, адреса, телефон, e-mail)",
            ["cat.referral-reason"] = "Причина направлення (про що йдеться)",
            ["cat.documents"] = "Документи, які я для цього надаю",
            ["cat.health-addiction"] = "Інформація про здоров'я та залежність – особлива категорія персональних даних (ст. 9 ч. 2 п. a GDPR): на це я даю окрему явну згоду",
            ["feedback"] = "Що отримувач може повідомити джобцентру",
            ["fb.attendance"] = "лише чи відвідав(-ла) я зустрічі (так/ні) та домовленість про зустрічі",
            ["fb.outcome"] = "чи відвідав(-ла) я зустрічі та результат (досягнуто / не досягнуто з причиною)",
            ["fb.full"] = "чи відвідав(-ла) я зустрічі, короткі звіти про перебіг і результат",
            ["fb.nothing-else"] = "Інший зміст консультацій джобцентру не передається.",
            ["expiry"] = "Строк дії",
            ["expiry.until"] = "Ця згода діє до {0}.",
            ["expiry.none"] = "Ця згода діє, доки я її не відкличу або мету не буде досягнуто.",
            ["voluntary"] = "Згода є добровільною. Якщо я не погоджуюся або відкликаю згоду, мої виплати через це не зменшать.",
            ["revoke"] = "Відкликання",
            ["revoke.text"] = "Я можу будь-коли без пояснення причин відкликати цю згоду на майбутнє (ст. 7 ч. 3 GDPR, § 67b абз. 2 SGB X). Достатньо повідомити мого кейс-менеджера в джобцентрі – усно, письмово або електронною поштою. Після цього отримувач більше не отримує даних і нічого не повідомляє. Те, що було передано до відкликання, залишається законним.",
            ["guardian"] = "За неповнолітніх додатково погоджуються батьки, за наявності правової опіки – опікун. Кожен із них може відкликати згоду.",
            ["name"] = "Прізвище, ім'я",
            ["signature"] = "Місце, дата, підпис клієнта",
            ["signature.guardian"] = "Місце, дата, ім'я та підпис батьків або правового опікуна",
            ["binding"] = "Обов'язковим є текст німецькою мовою.",
            ["confirm"] = "Я прочитав(-ла) текст і погоджуюся.",
            ["confirm.name"] = "Моє ім'я (як підтвердження)",
        },
        ["ru"] = new()
        {
            ["slip.title"] = "Направление",
            ["slip.intro"] = "Ваш кейс-менеджер в джобцентре направил вас в эту службу.",
            ["slip.where"] = "Адрес",
            ["slip.hours"] = "Часы работы",
            ["slip.phone"] = "Телефон",
            ["slip.appointment"] = "Ваша встреча",
            ["slip.no-appointment"] = "Встречи пока нет: служба свяжется с вами, или позвоните туда.",
            ["slip.shared"] = "Эти данные джобцентр передал этой службе с вашего согласия",
            ["title"] = "Согласие на передачу социальных данных",
            ["intro"] = "Я согласен(-на), чтобы джобцентр передал отмеченные ниже данные указанному получателю для указанной цели.",
            ["recipient"] = "Получатель", ["purpose"] = "Цель",
            ["categories"] = "Эти данные можно передать",
            ["cat.contact-data"] = "Контактные данные (имя, адрес, телефон, e-mail)",
            ["cat.referral-reason"] = "Причина направления (о чём идёт речь)",
            ["cat.documents"] = "Документы, которые я для этого предоставляю",
            ["cat.health-addiction"] = "Сведения о здоровье и зависимости – особая категория персональных данных (ст. 9 ч. 2 п. a GDPR): на это я даю отдельное явное согласие",
            ["feedback"] = "Что получатель может сообщить джобцентру",
            ["fb.attendance"] = "только посещал(-а) ли я встречи (да/нет) и договорённость о встречах",
            ["fb.outcome"] = "посещал(-а) ли я встречи и результат (достигнут / не достигнут с причиной)",
            ["fb.full"] = "посещал(-а) ли я встречи, краткие отчёты о ходе и результат",
            ["fb.nothing-else"] = "Иное содержание консультаций джобцентру не передаётся.",
            ["expiry"] = "Срок действия",
            ["expiry.until"] = "Это согласие действует до {0}.",
            ["expiry.none"] = "Это согласие действует, пока я его не отзову или цель не будет достигнута.",
            ["voluntary"] = "Согласие добровольно. Если я не соглашаюсь или отзываю согласие, мои выплаты из-за этого не сократят.",
            ["revoke"] = "Отзыв",
            ["revoke.text"] = "Я могу в любое время без объяснения причин отозвать это согласие на будущее (ст. 7 ч. 3 GDPR, § 67b абз. 2 SGB X). Достаточно сообщить моему кейс-менеджеру в джобцентре – устно, письменно или по электронной почте. После этого получатель больше не получает данных и ничего не сообщает. Переданное до отзыва остаётся законным.",
            ["guardian"] = "За несовершеннолетних дополнительно соглашаются родители, при правовой опеке – опекун. Каждый из них может отозвать согласие.",
            ["name"] = "Фамилия, имя",
            ["signature"] = "Место, дата, подпись клиента",
            ["signature.guardian"] = "Место, дата, имя и подпись родителя или правового опекуна",
            ["binding"] = "Обязательным является текст на немецком языке.",
            ["confirm"] = "Я прочитал(-а) текст и согласен(-на).",
            ["confirm.name"] = "Моё имя (как подтверждение)",
        },
        ["tr"] = new()
        {
            ["slip.title"] = "Yönlendirme belgesi",
            ["slip.intro"] = "Jobcenter'daki vaka yöneticiniz sizi bu kuruma yönlendirdi.",
            ["slip.where"] = "Adres",
            ["slip.hours"] = "Çalışma saatleri",
            ["slip.phone"] = "Telefon",
            ["slip.appointment"] = "Randevunuz",
            ["slip.no-appointment"] = "Henüz randevu yok: kurum sizinle iletişime geçecek veya siz arayabilirsiniz.",
            ["slip.shared"] = "Jobcenter bu verileri onayınızla bu kuruma iletti",
            ["title"] = "Sosyal verilerin aktarılmasına onay",
            ["intro"] = "Jobcenter'ın aşağıda işaretlenen verileri belirtilen alıcıya belirtilen amaç için aktarmasına onay veriyorum.",
            ["recipient"] = "Alıcı", ["purpose"] = "Amaç",
            ["categories"] = "Aktarılabilecek veriler",
            ["cat.contact-data"] = "İletişim bilgileri (ad, adres, telefon, e-posta)",
            ["cat.referral-reason"] = "Yönlendirme nedeni (konu)",
            ["cat.documents"] = "Bunun için sunduğum belgeler",
            ["cat.health-addiction"] = "Sağlık ve bağımlılık bilgileri – özel nitelikli kişisel veri (GVKT md. 9 f. 2 a): buna açıkça ve ayrıca onay veriyorum",
            ["feedback"] = "Alıcının Jobcenter'a bildirebilecekleri",
            ["fb.attendance"] = "yalnızca randevulara katılıp katılmadığım (evet/hayır) ve randevu ayarlaması",
            ["fb.outcome"] = "randevulara katılıp katılmadığım ve sonuç (ulaşıldı / gerekçesiyle ulaşılmadı)",
            ["fb.full"] = "randevulara katılıp katılmadığım, süreç hakkında kısa raporlar ve sonuç",
            ["fb.nothing-else"] = "Danışmanlığın başka hiçbir içeriği Jobcenter'a iletilmez.",
            ["expiry"] = "Geçerlilik",
            ["expiry.until"] = "Bu onay {0} tarihine kadar geçerlidir.",
            ["expiry.none"] = "Bu onay, geri alana kadar veya amaç gerçekleşene kadar geçerlidir.",
            ["voluntary"] = "Onay gönüllüdür. Onay vermezsem veya geri alırsam, bu nedenle yardımlarım kesilmez.",
            ["revoke"] = "Geri alma",
            ["revoke.text"] = "Bu onayı istediğim zaman gerekçe göstermeden gelecek için geri alabilirim (GVKT md. 7 f. 3, SGB X § 67b f. 2). Jobcenter'daki vaka yöneticime sözlü, yazılı veya e-posta ile bildirmem yeterlidir. Bundan sonra alıcı veri almaz ve geri bildirimde bulunmaz. Geri almadan önce aktarılanlar hukuka uygun kalır.",
            ["guardian"] = "Reşit olmayanlar için ayrıca veli, yasal vesayet altındakiler için yasal vasi onay verir. Her biri onayı geri alabilir.",
            ["name"] = "Soyadı, adı",
            ["signature"] = "Yer, tarih, müşterinin imzası",
            ["signature.guardian"] = "Yer, tarih, velinin veya yasal vasinin adı ve imzası",
            ["binding"] = "Bağlayıcı olan Almanca metindir.",
            ["confirm"] = "Metni okudum ve onay veriyorum.",
            ["confirm.name"] = "Adım (onay olarak)",
        },
    };

    /// <summary>One stored version of one language's texts.</summary>
    public sealed record Version(string Language, int Number, IReadOnlyDictionary<string, string> Texts, DateTimeOffset CreatedAt, string CreatedBy)
    {
        public string this[string key] => Texts.GetValueOrDefault(key) ?? key;
    }

    /// <summary>Reads and adds text versions (SQL on the immutable table; EF Core maps no entity for it).</summary>
    public sealed class Store(ReferralsDb db)
    {
        private sealed record Row(string Language, int Version, string Texts, DateTimeOffset CreatedAt, string CreatedBy);

        public async Task<Version?> GetAsync(string language, int version, CancellationToken ct)
        {
            var rows = await db.Database.SqlQuery<Row>($"""
                SELECT language AS "Language", version AS "Version", texts::text AS "Texts", created_at AS "CreatedAt", created_by AS "CreatedBy"
                FROM referrals.consent_texts WHERE language = {language} AND version = {version}
                """).ToListAsync(ct);
            return rows.Select(ToVersion).SingleOrDefault();
        }

        public async Task<Version?> CurrentAsync(string language, CancellationToken ct)
        {
            var rows = await db.Database.SqlQuery<Row>($"""
                SELECT language AS "Language", version AS "Version", texts::text AS "Texts", created_at AS "CreatedAt", created_by AS "CreatedBy"
                FROM referrals.consent_texts WHERE language = {language} ORDER BY version DESC LIMIT 1
                """).ToListAsync(ct);
            return rows.Select(ToVersion).SingleOrDefault();
        }

        public async Task<IReadOnlyList<Version>> HistoryAsync(string language, CancellationToken ct)
        {
            var rows = await db.Database.SqlQuery<Row>($"""
                SELECT language AS "Language", version AS "Version", texts::text AS "Texts", created_at AS "CreatedAt", created_by AS "CreatedBy"
                FROM referrals.consent_texts WHERE language = {language} ORDER BY version DESC
                """).ToListAsync(ct);
            return rows.Select(ToVersion).ToList();
        }

        /// <summary>Adds the next version; two editors at once end in one 409 (primary key), never in an overwrite.</summary>
        public async Task<Version> AddAsync(string language, IReadOnlyDictionary<string, string> texts, string by, CancellationToken ct)
        {
            var json = JsonSerializer.Serialize(texts);
            try
            {
                var version = await db.Database.SqlQuery<int>($"""
                    INSERT INTO referrals.consent_texts (language, version, texts, created_by)
                    SELECT {language}, coalesce(max(version), 0) + 1, {json}::jsonb, {by} FROM referrals.consent_texts WHERE language = {language}
                    RETURNING version AS "Value"
                    """).ToListAsync(ct);
                return (await GetAsync(language, version.Single(), ct))!;
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == "23505")
            {
                throw ReferralProblem.Conflict("Gerade hat jemand anderes eine neue Fassung gespeichert. Bitte laden Sie die Seite neu.");
            }
        }

        private static Version ToVersion(Row r) => new(r.Language, r.Version,
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.Texts)!, r.CreatedAt, r.CreatedBy);
    }

    /// <summary>Version 1 of every language is the built-in wording, stored once so that later edits add versions beside it.</summary>
    public sealed class Seeder(IServiceProvider services) : IStartupTask
    {
        public int Order => 21;

        public async Task RunAsync(CancellationToken ct)
        {
            using var scope = services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ReferralsDb>();
            foreach (var language in Languages)
            {
                var json = JsonSerializer.Serialize(Defaults[language.Code]);
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO referrals.consent_texts (language, version, texts, created_by)
                    VALUES ({language.Code}, 1, {json}::jsonb, 'system') ON CONFLICT DO NOTHING
                    """, ct);
            }
        }
    }

    public sealed record TextsResponse(string Language, int Version, IReadOnlyDictionary<string, string> Texts, DateTimeOffset CreatedAt);
    public sealed record NewVersionRequest(Dictionary<string, string>? Texts);

    /// <summary>Checks a new version: a known language, every key filled, nothing too long; the missing keys are named.</summary>
    public static Dictionary<string, string> Validate(string language, IReadOnlyDictionary<string, string?>? texts)
    {
        if (Language(language) is null) throw new ReferralProblem(404, "Diese Sprache wird nicht angeboten.");
        var errors = new Dictionary<string, string[]>();
        var clean = new Dictionary<string, string>();
        foreach (var (key, label) in Keys)
        {
            var value = texts?.GetValueOrDefault(key)?.Trim();
            if (string.IsNullOrEmpty(value)) errors[key] = [$"Bitte füllen Sie „{label}“ aus."];
            else if (value.Length > 2000) errors[key] = [$"„{label}“ darf höchstens 2000 Zeichen lang sein."];
            else if (key == "expiry.until" && !value.Contains("{0}")) errors[key] = [$"„{label}“ muss den Platzhalter {{0}} für das Datum enthalten."];
            else clean[key] = value;
        }
        foreach (var key in texts?.Keys.Except(Keys.Select(k => k.Key)) ?? [])
            errors[key] = ["Unbekannter Textbaustein."];
        if (errors.Count > 0) throw new ReferralProblem(400, "Bitte prüfen Sie die markierten Textbausteine.", errors);
        return clean;
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/consent-texts").WithTags("Einwilligungstexte").AddEndpointFilter<ReferralProblemFilter>();
        group.MapGet("/{language}", async (string language, Store store, CancellationToken ct) =>
                Language(language) is null || await store.CurrentAsync(language, ct) is not { } v
                    ? throw new ReferralProblem(404, "Diese Sprache wird nicht angeboten.")
                    : Results.Ok(new TextsResponse(v.Language, v.Number, v.Texts, v.CreatedAt)))
            .RequireAuthorization(Policies.Staff)
            .WithSummary("Aktuelle Fassung der Einwilligungserklärung in einer Sprache");
        group.MapGet("/{language}/{version:int}", async (string language, int version, Store store, CancellationToken ct) =>
                await store.GetAsync(language, version, ct) is not { } v
                    ? throw new ReferralProblem(404, "Diese Fassung gibt es nicht.")
                    : Results.Ok(new TextsResponse(v.Language, v.Number, v.Texts, v.CreatedAt)))
            .RequireAuthorization(Policies.Staff)
            .WithSummary("Eine bestimmte Fassung (so, wie sie unterschrieben wurde)");
        group.MapPost("/{language}", async (string language, NewVersionRequest request, ClaimsPrincipal user, Store store, AuditLog audit, CancellationToken ct) =>
            {
                MayMaintain(user);
                var clean = Validate(language, request.Texts?.ToDictionary(kv => kv.Key, kv => (string?)kv.Value));
                var added = await store.AddAsync(language, clean, user.CurrentUser().Id, ct);
                await audit.RecordAsync(new AuditEvent("consent-text.add", "consent-text", $"{language}/{added.Number}"), ct);
                return Results.Created($"/api/consent-texts/{language}/{added.Number}", new TextsResponse(added.Language, added.Number, added.Texts, added.CreatedAt));
            })
            .RequireAuthorization(Policies.Staff)
            .WithSummary("Neue Fassung speichern (Netzwerkkoordination, Datenschutz); unterschriebene Erklärungen behalten ihre Fassung");
    }

    public static void MayMaintain(ClaimsPrincipal user)
    {
        if (!user.CurrentUser().IsInRole(Roles.NetworkCoordinator, Roles.DataProtection, Roles.Administrator))
            throw ReferralProblem.Forbidden("Die Texte der Einwilligungserklärung pflegen Netzwerkkoordination und Datenschutz.");
    }
}

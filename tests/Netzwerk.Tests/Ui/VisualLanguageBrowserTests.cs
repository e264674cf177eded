using Microsoft.Playwright;
using Netzwerk.Tests.Infrastructure;
using Netzwerk.Tests.Referrals.Ui;

namespace Netzwerk.Tests.Ui;

/// <summary>
/// Issue 19 in Chromium: catalogue filters that neither reload nor move focus on a keystroke, the active-filter summary,
/// a focus ring of at least 3:1, and layouts at 1366 px and 768 px without sideways scrolling. Set NZ_SHOTS_DIR to keep
/// screenshots of the pages it visits.
/// </summary>
public sealed class VisualLanguageBrowserTests(ReferralUiApp app, Browser browser) : IClassFixture<ReferralUiApp>, IClassFixture<Browser>
{
    private const string MarkPage = "() => { window.__samePage = 'ja'; }";
    private const string SamePage = "() => window.__samePage === 'ja'";
    private const string ActiveId = "() => document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : 'none'";

    [Fact]
    public async Task Catalogue_filters_by_keyboard_update_the_results_in_place_and_keep_the_focus()
    {
        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.mueller");
        await page.SetViewportSizeAsync(1366, 900);
        await page.GotoAsync("/katalog");
        await page.EvaluateAsync(MarkPage);

        // Type a query and press Enter: the results change, the page does not, the caret stays in the field.
        await page.Locator("#q").FocusAsync();
        await page.Keyboard.TypeAsync("Beratung");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(u => u.Contains("q=Beratung"), Browser.DomReady);
        (await page.EvaluateAsync<bool>(SamePage)).ShouldBeTrue("Enter in the search field must not reload the page");
        (await page.EvaluateAsync<string>(ActiveId)).ShouldBe("q");
        var before = await page.Locator("#ergebnisse").TextContentAsync();

        // A place, Tab to the radius, one arrow key: results update in place, focus stays on the select.
        await page.Keyboard.PressAsync("Tab");            // to "Suchen"
        await page.Keyboard.PressAsync("Tab");            // to the "Filter" disclosure
        (await page.EvaluateAsync<string>(ActiveId)).ShouldBe("SUMMARY");
        await page.Keyboard.PressAsync("Tab");            // to "Ort oder Postleitzahl"
        (await page.EvaluateAsync<string>(ActiveId)).ShouldBe("near");
        await page.Keyboard.TypeAsync("Kamenz");
        await page.Keyboard.PressAsync("Tab");            // to "Umkreis"
        (await page.EvaluateAsync<string>(ActiveId)).ShouldBe("radiusKm");
        await page.Keyboard.PressAsync("ArrowDown");      // "beliebig" → "5 km"
        await page.WaitForURLAsync(u => u.Contains("radiusKm=5") && u.Contains("near=Kamenz"), Browser.DomReady);
        await page.WaitForFunctionAsync("() => document.querySelector('.katalog-results').getAttribute('aria-busy') === 'false'");
        (await page.EvaluateAsync<bool>(SamePage)).ShouldBeTrue("a keystroke on a filter must not reload the page");
        (await page.EvaluateAsync<string>(ActiveId)).ShouldBe("radiusKm", "focus stays on the control, not on body");
        var after = await page.Locator("#ergebnisse").TextContentAsync();
        after.ShouldNotBe(before, "5 km around Kamenz finds fewer offers than all of them");
        await page.WaitForFunctionAsync("() => document.querySelector('[data-katalog-live]').textContent.includes('gefunden')");
        (await page.Locator("[data-katalog-live]").TextContentAsync())!.ShouldContain(after!.Trim());
        (await page.Locator(".katalog-hit .distance").AllTextContentsAsync()).ShouldNotBeEmpty();

        // The summary lists the filters; removing one is one keyboard action and leaves the focus in the summary.
        var chip = page.GetByRole(AriaRole.Link, new() { Name = "Filter Umkreis 5 km entfernen" });
        (await chip.CountAsync()).ShouldBe(1);
        (await page.GetByRole(AriaRole.Link, new() { Name = "Filter Ort Kamenz entfernen" }).CountAsync()).ShouldBe(1);
        await chip.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(u => !u.Contains("radiusKm"), Browser.DomReady);
        await page.WaitForFunctionAsync("() => document.querySelector('.katalog-results').getAttribute('aria-busy') === 'false'");
        (await page.EvaluateAsync<bool>(SamePage)).ShouldBeTrue();
        (await page.Locator("#radiusKm").InputValueAsync()).ShouldBe("");
        (await page.GetByRole(AriaRole.Link, new() { Name = "Filter Umkreis 5 km entfernen" }).CountAsync()).ShouldBe(0);
        (await page.EvaluateAsync<string>("() => document.activeElement.tagName")).ShouldNotBe("BODY");
        (await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('aria-label') || document.activeElement.id"))
            .ShouldBe("Filter Ort Kamenz entfernen");

        // A facet ticked with the space bar: applied in place, focus on the same checkbox, its chip appears.
        var box = page.Locator("fieldset[data-facet=category] input[type=checkbox]").First;
        var boxId = await box.GetAttributeAsync("id");
        await box.FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await page.WaitForURLAsync(u => u.Contains("category="), Browser.DomReady);
        await page.WaitForFunctionAsync("() => document.querySelector('.katalog-results').getAttribute('aria-busy') === 'false'");
        (await page.EvaluateAsync<bool>(SamePage)).ShouldBeTrue();
        (await page.EvaluateAsync<string>(ActiveId)).ShouldBe(boxId);
        (await page.Locator($"#{boxId}").IsCheckedAsync()).ShouldBeTrue();
        (await page.Locator("a.filter-chip[data-remove-name=category]").CountAsync()).ShouldBe(1);
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty();
        await page.Locator("#ergebnisse").ScrollIntoViewIfNeededAsync();
        await ShotAsync(page, "katalog-aktive-filter-1366");

        // Without JavaScript the removal is a plain link: the same URL minus that one filter.
        var href = await page.Locator("a.filter-chip[data-remove-name=category]").GetAttributeAsync("href");
        href!.ShouldNotContain("category=");
        href!.ShouldContain("near=Kamenz");
    }

    [Fact]
    public async Task The_focus_ring_stands_out_by_3_to_1_against_the_background_it_sits_on()
    {
        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.mueller");
        await page.SetViewportSizeAsync(1366, 900);
        await page.GotoAsync("/katalog?q=Beratung");
        await page.Keyboard.PressAsync("Tab");   // keyboard modality, so that :focus-visible applies to what follows
        foreach (var selector in new[] { "#q", "button.primary", ".katalog-hit h3 a", ".main-nav a", "fieldset[data-facet] input[type=checkbox]", "#radiusKm", ".filter-panel > summary" })
        {
            await page.Locator(selector).First.FocusAsync();
            var ring = await page.Locator(selector).First.EvaluateAsync<double[]>("""
                el => {
                  const parse = c => { const m = c.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
                  const lum = ({ r, g, b }) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
                  const contrast = (x, y) => { const [a, b] = [lum(x), lum(y)].sort((p, q) => q - p); return (a + 0.05) / (b + 0.05); };
                  // the outline sits outside the element (offset): measure it against the first opaque background around it
                  let bg = null;
                  for (let n = el.parentElement; n && !bg; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor); if (c.a > 0.5) bg = c; }
                  bg = bg || { r: 255, g: 255, b: 255, a: 1 };
                  const s = getComputedStyle(el);
                  return [el.matches(':focus-visible') ? 1 : 0, s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth), contrast(parse(s.outlineColor), bg)];
                }
                """);
            ring[0].ShouldBe(1, $"{selector} is keyboard-focused");
            ring[1].ShouldBeGreaterThanOrEqualTo(2, $"{selector} has a visible outline");
            ring[2].ShouldBeGreaterThanOrEqualTo(3, $"{selector}: focus ring contrast {ring[2]:0.0}:1");
        }
    }

    /// <summary>The first screen as a PNG under $NZ_SHOTS_DIR/uicat (only when set: screenshots are for looking at, not for the repository).</summary>
    private static async Task ShotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("NZ_SHOTS_DIR") is not { Length: > 0 } dir) return;
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "uicat"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "uicat", $"{name}.png") });
    }

    public static TheoryData<int> Widths => new() { 1366, 768 };

    [Theory]
    [MemberData(nameof(Widths))]
    public async Task Pages_fit_the_width_without_sideways_scrolling(int width)
    {
        var pages = new (string User, string Path, string Name)[]
        {
            ("fm.mueller", "/katalog?q=Beratung", "katalog"),
            ("fm.mueller", $"/verweisungen/neu?serviceId={ReferralUiApp.DebtService}", "verweisung-neu"),
            ("ds.becker", "/datenschutz/protokoll", "protokoll"),
            ("nk.hoffmann", "/kennzahlen", "kennzahlen"),
            ("nk.hoffmann", "/pflege", "pflege"),
        };
        var sessions = new Dictionary<string, IPage>();
        foreach (var (user, path, name) in pages)
        {
            if (!sessions.TryGetValue(user, out var page)) sessions[user] = page = await browser.NewPageAsync(app.ServerAddress, demoUser: user);
            await page.SetViewportSizeAsync(width, width > 1000 ? 900 : 1024);
            (await page.GotoAsync(path))!.Status.ShouldBe(200, path);
            await page.WaitForLoadStateAsync(LoadState.Load);
            var (scroll, inner) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"),
                await page.EvaluateAsync<int>("() => window.innerWidth"));
            var wide = await page.EvaluateAsync<string[]>("""
                () => Array.from(document.querySelectorAll('main *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                  .slice(0, 4).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
                """);
            scroll.ShouldBeLessThanOrEqualTo(inner, $"{path} at {width} px scrolls sideways: {string.Join(" | ", wide)}");
            // nothing in the route facts, the results or a table is cut off inside its box
            var clipped = await page.EvaluateAsync<string[]>("""
                () => Array.from(document.querySelectorAll('main dd, main td, main th, .katalog-hit, .facet label'))
                  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible' || e.getBoundingClientRect().right > window.innerWidth + 1)
                  .slice(0, 5).map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 40))
                """);
            clipped.ShouldBeEmpty($"{path} at {width} px");
            await ShotAsync(page, $"{name}-{width}");
        }
        (await Axe.ViolationsAsync(sessions["ds.becker"])).ShouldBeEmpty();
    }

    [Fact]
    public async Task On_a_tablet_the_first_result_is_on_the_first_screen_and_the_filters_fold_away()
    {
        var page = await browser.NewPageAsync(app.ServerAddress, demoUser: "fm.mueller");
        await page.SetViewportSizeAsync(768, 1024);
        await page.GotoAsync("/katalog?q=Beratung&accessible=true");
        await page.WaitForLoadStateAsync(LoadState.Load);
        await page.WaitForFunctionAsync("() => !document.querySelector('details[data-fold-narrow]').open");
        var top = await page.Locator(".katalog-hit").First.EvaluateAsync<double>("e => e.getBoundingClientRect().top");
        var height = await page.EvaluateAsync<double>("() => window.innerHeight");
        top.ShouldBeLessThan(height - 80, "the first result starts within the first screen");
        // the folded filters open with the keyboard
        await page.Locator(".filter-panel > summary").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        (await page.GetByLabel("Ort oder Postleitzahl").IsVisibleAsync()).ShouldBeTrue();
        (await page.GetByRole(AriaRole.Link, new() { Name = "Filter barrierefrei entfernen" }).CountAsync()).ShouldBe(1);
        await ShotAsync(page, "katalog-filter-offen-768");
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty();
    }
}

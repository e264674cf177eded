using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Netzwerk.Directory.Demo;
using Netzwerk.Platform.Time;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Referrals;

/// <summary>A clock the test moves by hand (the product reads time only through TimeProvider).</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    public override TimeZoneInfo LocalTimeZone => GermanTime.Berlin;
}

/// <summary>
/// The app with a controllable clock, fast outbox/deadline polling and the referral helpers the tests share.
/// <see cref="ReuseDatabase"/> starts a second app on the database and virtual host of a first one (restart tests).
/// </summary>
public class ReferralTestApp : NetzwerkApp
{
    // Starts at the real time: demo tokens are issued with this clock but validated against the system clock.
    public ManualTimeProvider Clock { get; init; } = new(DateTimeOffset.UtcNow);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Workflows:Outbox:PollInterval"] = "00:00:00.500",
        ["Workflows:Deadlines:PollInterval"] = "00:00:00.200",
        ["RabbitMq:ManagementPort"] = TestServers.RabbitManagementPort,
    };

    /// <summary>Stops the app (host, bus, background services) but keeps its database and virtual host.</summary>
    public async Task StopHostAsync() => await ((IAsyncDisposable)this).DisposeAsync();

    /// <summary>A fresh app process on the database and virtual host of an earlier one (restart and crash tests).</summary>
    public sealed class Restarted(ReferralTestApp earlier) : ReferralTestApp
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ConnectionStrings:Netzwerk", earlier.ConnectionString);
            builder.UseSetting("RabbitMq:VirtualHost", earlier.VirtualHost);
        }

        public override string DatabaseConnectionString => earlier.ConnectionString;

        public override Task InitializeAsync()
        {
            _ = Server;
            return Task.CompletedTask;
        }

        public override async Task DisposeAsync() => await StopHostAsync();
    }

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(Clock);
    }

    // Demo catalogue services of the demo partner organisations (partner.schuldner, partner.sucht).
    public static readonly Guid DebtService = DemoCatalogue.Services.DebtCounsellingKamenz;          // route schuldnerberatung
    public static readonly Guid AddictionService = DemoCatalogue.Services.AddictionCounsellingBautzen; // route suchtberatung
    public static readonly Guid InsolvencyService = DemoCatalogue.Services.InsolvencyCounsellingKamenz; // route schuldnerberatung, same org as DebtService

    /// <summary>The database this app works on (a restarted app works on the earlier one's).</summary>
    public virtual string DatabaseConnectionString => ConnectionString;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Guid> DraftAsync(HttpClient fm, Guid? serviceId = null, string[]? categories = null, string caseRef = "AZ-2026/0001")
    {
        var response = await fm.PostAsJsonAsync("/api/referrals", new
        {
            caseReference = caseRef,
            serviceId = serviceId ?? DebtService,
            reason = "Mietschulden, Stromsperre droht",
            urgency = "soon",
            sharedCategories = categories ?? new[] { "contact-data", "referral-reason" },
            contactDetails = "Tel. 0151 000000",
            cooperationPlanGoal = "Schuldenregulierung einleiten",
            note = "Bitte zeitnah melden",
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        response.Headers.Location.ShouldNotBeNull();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public async Task<Guid> ConsentAsync(HttpClient fm, Guid referralId, string level = "attendance", string[]? categories = null,
        DateOnly? expiresOn = null)
    {
        var response = await fm.PostAsJsonAsync($"/api/referrals/{referralId}/consent", new
        {
            purpose = "Vermittlung in die Schuldnerberatung",
            dataCategories = categories ?? new[] { "contact-data", "referral-reason" },
            feedbackLevel = level,
            form = "signed-paper",
            givenOn = DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime),
            expiresOn,
        });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentId").GetGuid();
    }

    public async Task SendAsync(HttpClient fm, Guid referralId)
    {
        var response = await fm.PostAsync($"/api/referrals/{referralId}/send", null);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Draft, consent and send in one go; returns the referral id.</summary>
    public async Task<Guid> SentReferralAsync(HttpClient fm, Guid? serviceId = null, string level = "attendance")
    {
        var id = await DraftAsync(fm, serviceId);
        await ConsentAsync(fm, id, level);
        await SendAsync(fm, id);
        return id;
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, object? body = null)
        => body is null ? await client.PostAsync(url, JsonContent.Create(new { })) : await client.PostAsJsonAsync(url, body);

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
        => await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task<string> StatusOfAsync(HttpClient fm, Guid id)
        => (await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{id}")).GetProperty("status").GetString()!;

    /// <summary>The caller's inbox items for one referral, once at least <paramref name="atLeast"/> exist (messages travel through RabbitMQ).</summary>
    public static async Task<JsonElement[]> InboxAsync(HttpClient user, Guid referralId, int atLeast = 1, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var page = await user.GetFromJsonAsync<JsonElement>($"/api/inbox?referralId={referralId}");
            var items = page.GetProperty("items").EnumerateArray().ToArray();
            if (items.Length >= atLeast || DateTime.UtcNow > until) return items;
            await Task.Delay(100);
        }
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var db = new Npgsql.NpgsqlConnection(DatabaseConnectionString);
        await db.OpenAsync();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}

public static class Eventually
{
    /// <summary>Polls until the condition holds (messages travel through RabbitMQ); gives up after the timeout and lets the assertion fail.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > until) return value;
            await Task.Delay(100);
        }
    }
}

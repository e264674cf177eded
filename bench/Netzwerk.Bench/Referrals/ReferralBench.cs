using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Netzwerk.Bench.Referrals;

/// <summary>
/// Complete referral lifecycles (create, consent, send, accept, attendance, outcome, close) by concurrent clients
/// against the app on Kestrel with the real PostgreSQL and RabbitMQ (fresh database and virtual host), then a
/// plain persistent publish+consume with publisher confirms on the same broker for comparison.
/// Feedback latency: from the start of the partner's API call to the inbox item's insert in the consumer's
/// transaction (clock_timestamp(), same machine clock).
/// Arguments: --seconds N (default 60), --clients N (default 32: each waits for its calls' commits, so with 24 a tenth of
/// the CPU stayed idle), --raw-messages N (default 20000),
/// --warmup N (default 60: seconds of the same concurrent load before measuring, not counted. The tiered JIT with dynamic
/// PGO keeps recompiling hot methods for about a minute under this load; measured rates per 10 s climbed from ~70 to
/// ~95/s over the first 60–90 s of a run, so a shorter warm-up measures the JIT, not the workflow).
/// </summary>
public static class ReferralBench
{
    private static readonly Guid FamilyService = Netzwerk.Directory.Demo.DemoCatalogue.Services.InsolvencyCounsellingKamenz;

    public static async Task RunAsync(string[] args)
    {
        var seconds = Arg(args, "--seconds", 60);
        var clients = Arg(args, "--clients", 32);
        var warmup = Arg(args, "--warmup", 60);
        var rawMessages = Arg(args, "--raw-messages", 20000);
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Netzwerk")
                 ?? throw new InvalidOperationException("ConnectionStrings__Netzwerk fehlt (deploy/bench.sh setzt es).");
        var rabbit = new Rabbit();
        var database = $"nz_bench_{Guid.NewGuid():N}"[..24];
        var vhost = $"nz-bench-{Guid.NewGuid():N}";
        await ExecuteAsync(pg, "postgres", $"CREATE DATABASE \"{database}\" TEMPLATE template1");
        await rabbit.CreateVirtualHostAsync(vhost);
        try
        {
            double lifecyclesPerSecond, p95;
            using var smtp = new SmtpSink();
            await using (var app = new BenchApp(new NpgsqlConnectionStringBuilder(pg) { Database = database }.ConnectionString, vhost, smtp.Port))
            {
                app.Start();
                (lifecyclesPerSecond, p95) = await LifecyclesAsync(app, seconds, clients, warmup);
            }
            var raw = await rabbit.RawPublishConsumeAsync(vhost, rawMessages);
            Console.WriteLine($"raw RabbitMQ: {rawMessages} persistent messages published with confirms and consumed: {raw:0} msg/s");
            Console.WriteLine($"referrals lifecycles_per_s={lifecyclesPerSecond:0.0} feedback_p95_ms={p95:0.0} raw_rabbitmq_msgs_per_s={raw:0}");
        }
        finally
        {
            await BenchDatabase.DropAsync(pg, database);
            await rabbit.DeleteVirtualHostAsync(vhost);
        }
    }

    private static async Task<(double PerSecond, double P95)> LifecyclesAsync(BenchApp app, int seconds, int clients, int warmup)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(60),
        };
        var fmToken = await TokenAsync(http, "fm.mueller");
        var partnerToken = await TokenAsync(http, "partner.schuldner");
        var feedbackCalls = new ConcurrentBag<(Guid Referral, string Kind, DateTime StartedUtc)>();
        var errors = new ConcurrentDictionary<string, int>();
        var completed = 0;

        // Warm-up, not counted: the same workers run on into the measured minute, so that it measures the sustained rate
        // (tiered JIT and its instrumented tier, connection pools, broker channels) and not the process's start. One loop
        // for both: a second loop for the measured minute was new code at its start, and the profile showed the JIT busy
        // for its first seconds.
        await OneLifecycleAsync(http, fmToken, partnerToken, new ConcurrentBag<(Guid, string, DateTime)>());
        var clock = Stopwatch.StartNew();
        var measureFrom = TimeSpan.FromSeconds(warmup);
        var measureUntil = measureFrom + TimeSpan.FromSeconds(seconds);
        var warmedUp = 0;
        var measuring = 0; // 1 from measureFrom on
        CpuAccount? cpuBefore = null;
        var measureStart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var switcher = Task.Run(async () =>
        {
            await Task.Delay(measureFrom);
            cpuBefore = CpuAccount.Take();
            Volatile.Write(ref measuring, 1);
            measureStart.SetResult();
        });
        var workers = Enumerable.Range(0, clients).Select(async _ =>
        {
            while (clock.Elapsed < measureUntil)
            {
                // A lifecycle counts when it starts within the measured minute.
                var counted = Volatile.Read(ref measuring) == 1;
                try
                {
                    await OneLifecycleAsync(http, fmToken, partnerToken, counted ? feedbackCalls : new ConcurrentBag<(Guid, string, DateTime)>());
                    if (counted) Interlocked.Increment(ref completed);
                    else Interlocked.Increment(ref warmedUp);
                }
                catch (Exception e)
                {
                    if (counted) errors.AddOrUpdate(e.Message.Length > 120 ? e.Message[..120] : e.Message, 1, (_, n) => n + 1);
                }
            }
        }).ToList();
        await measureStart.Task;
        Console.WriteLine($"warm-up: {Volatile.Read(ref warmedUp)} lifecycles in {warmup} s (not counted)");
        var progress = Task.Run(async () =>
        {
            while (workers.Any(w => !w.IsCompleted))
            {
                await Task.Delay(TimeSpan.FromSeconds(10));
                Console.WriteLine($"  {(clock.Elapsed - measureFrom).TotalSeconds:0}s: {Volatile.Read(ref completed)} lifecycles");
            }
        });
        await Task.WhenAll(workers);
        await switcher;
        var elapsed = (clock.Elapsed - measureFrom).TotalSeconds;
        await progress;
        var perSecond = completed / elapsed;
        var cpu = CpuAccount.Take().PerUnit(cpuBefore!, completed, "lifecycle", elapsed);
        Console.WriteLine($"lifecycles: {completed} in {elapsed:0.0} s with {clients} clients = {perSecond:0.0}/s (7 API calls each)");
        // The machine is shared: where the CPU went tells how far the figure is the code's (app = this process with its clients).
        Console.WriteLine($"  {cpu}");
        foreach (var (message, count) in errors) Console.WriteLine($"  errors: {count} × {message}");

        // Wait for the last feedback to arrive, then compute latencies from the inbox items' insert times.
        var calls = feedbackCalls.ToList();
        var inbox = new Dictionary<(Guid, string), DateTime>();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            inbox = await InboxTimesAsync(app.ConnectionString);
            if (calls.All(c => inbox.ContainsKey((c.Referral, c.Kind)))) break;
            await Task.Delay(500);
        }
        var latencies = calls.Where(c => inbox.ContainsKey((c.Referral, c.Kind)))
            .Select(c => (inbox[(c.Referral, c.Kind)] - c.StartedUtc).TotalMilliseconds).Order().ToArray();
        var missing = calls.Count - latencies.Length;
        double P(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        Console.WriteLine($"feedback latency (partner call → FM inbox item), {latencies.Length} items: p50={P(0.5):0.0} ms p95={P(0.95):0.0} ms p99={P(0.99):0.0} ms max={P(1):0.0} ms; missing {missing}");
        return (perSecond, missing > 0 ? double.PositiveInfinity : P(0.95));
    }

    private static async Task OneLifecycleAsync(HttpClient http, string fm, string partner, ConcurrentBag<(Guid, string, DateTime)> feedback)
    {
        var created = await PostAsync(http, fm, "/api/referrals", new
        {
            caseReference = $"AZ-{Random.Shared.Next(100000, 999999)}", serviceId = FamilyService, reason = "Beratungsbedarf",
            urgency = "normal", sharedCategories = new[] { "contact-data", "referral-reason" }, contactDetails = "Tel. 0000",
        });
        var id = created.GetProperty("id").GetGuid();
        await PostAsync(http, fm, $"/api/referrals/{id}/consent", new
        {
            purpose = "Vermittlung", dataCategories = new[] { "contact-data", "referral-reason" }, feedbackLevel = "outcome",
            form = "signed-paper", givenOn = DateOnly.FromDateTime(DateTime.Now),
        });
        await PostAsync(http, fm, $"/api/referrals/{id}/send", null);
        await FeedbackAsync("accepted", $"/api/partner/referrals/{id}/accept", new { appointmentAt = DateTimeOffset.UtcNow.AddHours(-1) });
        await FeedbackAsync("attendance", $"/api/partner/referrals/{id}/attendance", new { attended = true });
        await FeedbackAsync("outcome", $"/api/partner/referrals/{id}/outcome", new { reasonCode = "completed-with-result" });
        await PostAsync(http, fm, $"/api/referrals/{id}/close", new { outcome = "completed", reasonCode = "completed-with-result" });

        async Task FeedbackAsync(string kind, string url, object body)
        {
            var started = DateTime.UtcNow;
            await PostAsync(http, partner, url, body);
            feedback.Add((id, kind, started));
        }
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string token, string url, object? body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body ?? new { }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{(int)response.StatusCode} {url.Split('/')[^1]}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    internal static async Task<string> TokenAsync(HttpClient http, string user)
    {
        var response = await http.PostAsJsonAsync("/api/demo/token", new { user });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private static async Task<Dictionary<(Guid, string), DateTime>> InboxTimesAsync(string connectionString)
    {
        var result = new Dictionary<(Guid, string), DateTime>();
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT referral_id, kind, created_at FROM referrals.inbox_items", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) result[(reader.GetGuid(0), reader.GetString(1))] = reader.GetDateTime(2);
        return result;
    }

    internal static async Task ExecuteAsync(string connectionString, string database, string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    internal static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }

    /// <summary>
    /// The whole app on Kestrel (a free port), demo users on, request logs off. (Any type of the web assembly names
    /// its entry point; <c>Program</c> itself would be this benchmark's own.)
    /// </summary>
    internal sealed class BenchApp(string connectionString, string vhost, int smtpPort, Action<IWebHostBuilder>? more = null)
        : WebApplicationFactory<Netzwerk.Web.Hosting.DatabaseReadyCheck>
    {
        public string ConnectionString => connectionString;
        public Uri Address => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        public void Start()
        {
            UseKestrel(0);
            StartServer();
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseContentRoot(WebProjectDirectory());
            builder.UseEnvironment("Benchmark");
            builder.UseSetting("ConnectionStrings:Netzwerk", connectionString);
            builder.UseSetting("RabbitMq:VirtualHost", vhost);
            builder.UseSetting("Demo:Enabled", "true");
            // Access-link e-mails go to the sink below (each sent referral mails one).
            builder.UseSetting("Smtp:Host", "127.0.0.1");
            builder.UseSetting("Smtp:Port", smtpPort.ToString());
            builder.UseSetting("Smtp:Security", "None");
            builder.UseSetting("Smtp:PollInterval", "00:00:00.200");
            // One log line per request would measure the console, not the workflow.
            builder.UseSetting("Logging:LogLevel:Netzwerk.Requests", "Warning");
            // (Serilog's provider has its own catch-all rule, so the filter must name that provider.)
            builder.ConfigureLogging(l => l.AddFilter<Serilog.Extensions.Logging.SerilogLoggerProvider>("Netzwerk.Requests", LogLevel.Warning));
            more?.Invoke(builder); // a benchmark's own settings (the loop benchmark's clock and polls)
        }
    }

    private static string WebProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "src", "Web", "Netzwerk.Web.csproj"))) return Path.Combine(dir.FullName, "src", "Web");
        return AppContext.BaseDirectory;
    }

    /// <summary>
    /// Accepts every e-mail and forgets it: the access-link mails are part of the flow, a mail server is not measured.
    /// With <paramref name="received"/> each mail's text (headers and body) is handed over (the loop benchmark counts them).
    /// </summary>
    internal sealed class SmtpSink : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Action<string>? _received;
        public int Port { get; }

        public SmtpSink(Action<string>? received = null)
        {
            _received = received;
            _listener.Start();
            Port = ((System.Net.IPEndPoint)_listener.LocalEndpoint).Port;
            _ = Task.Run(AcceptAsync);
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                System.Net.Sockets.TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch { return; }
                _ = Task.Run(() => ServeAsync(client, _received));
            }
        }

        private static async Task ServeAsync(System.Net.Sockets.TcpClient client, Action<string>? received)
        {
            using var _ = client;
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            try
            {
                await writer.WriteLineAsync("220 bench ESMTP");
                while (await reader.ReadLineAsync() is { } line)
                {
                    var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                    if (verb == "DATA")
                    {
                        await writer.WriteLineAsync("354 go ahead");
                        var text = received is null ? null : new StringBuilder();
                        while (await reader.ReadLineAsync() is { } data && data != ".") text?.AppendLine(data);
                        if (text is not null) received!(text.ToString());
                        await writer.WriteLineAsync("250 queued");
                    }
                    else if (verb == "QUIT") { await writer.WriteLineAsync("221 bye"); return; }
                    else await writer.WriteLineAsync("250 OK");
                }
            }
            catch (IOException) { }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }

    internal sealed class Rabbit
    {
        private readonly string _host = Environment.GetEnvironmentVariable("RabbitMq__Host") ?? "127.0.0.1";
        private readonly int _port = int.Parse(Environment.GetEnvironmentVariable("RabbitMq__Port") ?? "5672");
        private readonly string _user = Environment.GetEnvironmentVariable("RabbitMq__Username") ?? "guest";
        private readonly string _password = Environment.GetEnvironmentVariable("RabbitMq__Password") ?? "guest";
        private readonly string _managementPort = Environment.GetEnvironmentVariable("RabbitMq__ManagementPort") ?? "15672";

        private HttpClient Management()
        {
            var client = new HttpClient { BaseAddress = new Uri($"http://{_host}:{_managementPort}/api/") };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_user}:{_password}")));
            return client;
        }

        public async Task CreateVirtualHostAsync(string vhost)
        {
            using var http = Management();
            (await http.PutAsync($"vhosts/{Uri.EscapeDataString(vhost)}", null)).EnsureSuccessStatusCode();
            (await http.PutAsync($"permissions/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(_user)}",
                new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        }

        public async Task DeleteVirtualHostAsync(string vhost)
        {
            using var http = Management();
            await http.DeleteAsync($"vhosts/{Uri.EscapeDataString(vhost)}");
        }

        /// <summary>Persistent messages, publisher confirms (up to 256 unconfirmed in flight), one consumer with manual acks.</summary>
        public async Task<double> RawPublishConsumeAsync(string vhost, int count)
        {
            var factory = new ConnectionFactory { HostName = _host, Port = _port, UserName = _user, Password = _password, VirtualHost = vhost };
            await using var connection = await factory.CreateConnectionAsync();
            await using var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            await using var consumerChannel = await connection.CreateChannelAsync();
            const string queue = "bench-raw";
            await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await consumerChannel.BasicQosAsync(0, 200, false);
            var received = 0;
            var allReceived = new TaskCompletionSource();
            var consumer = new AsyncEventingBasicConsumer(consumerChannel);
            consumer.ReceivedAsync += async (_, ea) =>
            {
                await consumerChannel.BasicAckAsync(ea.DeliveryTag, false);
                if (Interlocked.Increment(ref received) == count) allReceived.TrySetResult();
            };
            await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer);

            var body = Encoding.UTF8.GetBytes("""{"referralId":"00000000-0000-0000-0000-000000000000","kind":"attendance","attended":true}""");
            var props = new BasicProperties { Persistent = true, ContentType = "application/json" };
            var watch = Stopwatch.StartNew();
            var window = new SemaphoreSlim(256);
            var inFlight = new List<Task>(count);
            for (var i = 0; i < count; i++)
            {
                await window.WaitAsync();
                inFlight.Add(Task.Run(async () =>
                {
                    try { await publisher.BasicPublishAsync("", queue, true, props, body); }
                    finally { window.Release(); }
                }));
            }
            await Task.WhenAll(inFlight);
            await allReceived.Task.WaitAsync(TimeSpan.FromMinutes(2));
            return count / watch.Elapsed.TotalSeconds;
        }
    }
}

using Netzwerk.Directory;
using Netzwerk.Platform;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals;
using Netzwerk.Referrals.Figures;
using Netzwerk.Web.Hosting;
using Netzwerk.Workflows;

var builder = WebApplication.CreateBuilder(args);
if (args is ["audit-verify", ..]) return await AuditVerifyCommand.RunAsync(builder.Configuration);

builder.AddNetzwerkHost();          // logging, database, problems, auth, health, OpenAPI, UI
builder.Services.AddDirectory(builder.Configuration);
builder.Services.AddReferrals(builder.Configuration);
builder.Services.AddWorkflows(builder.Configuration);
builder.Services.AddIdentityFeatures(builder.Configuration);
builder.Services.AddNetzwerkBus(builder.Configuration, bus =>
{
    bus.AddReferralConsumers();
});

var app = builder.Build();

app.UseNetzwerkHost();
app.MapIdentityFeatures();
app.MapDirectory();
app.MapReferrals();
app.MapReferralFigures();
app.MapRazorPages();

app.Run();
return 0;

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;

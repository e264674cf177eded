using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Netzwerk.Tests.Referrals;
using Netzwerk.Workflows.Outbox;

namespace Netzwerk.Tests.Workflows;

/// <summary>The outbox publishes only message types a module registered; anything else stays unsent, with its error.</summary>
public sealed class OutboxTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    [Fact]
    public async Task A_row_naming_an_unregistered_type_is_never_deserialised_and_stays_pending()
    {
        var contracts = app.Services.GetRequiredService<MessageContracts>();
        contracts.Resolve(MessageContracts.NameOf(typeof(ReferralSentToPartner))).ShouldBe(typeof(ReferralSentToPartner));
        contracts.Resolve(typeof(Uri).FullName!).ShouldBeNull();
        contracts.All.ShouldNotContain(typeof(ReasonCodes)); // constants, not a message

        var id = Guid.CreateVersion7();
        await using (var db = await app.OpenDatabaseAsync())
        await using (var tx = await db.BeginTransactionAsync())
        {
            await OutboxWriter.WriteAsync(db, tx, new Uri("https://example.org/"), CancellationToken.None, id);
            await tx.CommitAsync();
        }
        await Eventually.UntilAsync(() => app.CountAsync($"SELECT attempts FROM workflows.outbox WHERE id = '{id}'"), n => n > 0);
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox WHERE id = '{id}' AND sent_at IS NULL AND last_error = 'InvalidOperationException'"))
            .ShouldBe(1);
        await using (var db = await app.OpenDatabaseAsync())
        await using (var delete = db.CreateCommand())
        {
            delete.CommandText = $"DELETE FROM workflows.outbox WHERE id = '{id}'"; // or every later test's dispatcher keeps retrying it
            await delete.ExecuteNonQueryAsync();
        }
    }
}

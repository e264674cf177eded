using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Demo;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Netzwerk.Tests.Directory;

public sealed class CatalogueTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    [Fact]
    public async Task Demo_network_covers_every_partner_kind_with_enough_organisations_and_services()
    {
        await using var db = await app.OpenDatabaseAsync();
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.organization")).ShouldBeGreaterThanOrEqualTo(150);
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.service")).ShouldBeGreaterThanOrEqualTo(300);
        var kindsWithoutServices = await db.QueryAsync<string>("""
            SELECT tt.code FROM directory.taxonomy_term tt JOIN directory.taxonomy t ON t.id = tt.taxonomy_id AND t.code = 'partnerart'
            WHERE NOT EXISTS (SELECT 1 FROM directory.service_taxonomy_term stt WHERE stt.taxonomy_term_id = tt.id)
            """);
        kindsWithoutServices.ShouldBeEmpty();
        // Every searchable service has a search document; retired ones (service or organisation) have none.
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.service_search")).ShouldBe(
            await db.ExecuteScalarAsync<long>("""
                SELECT count(*) FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
                WHERE s.status <> 'retired' AND o.status <> 'retired'
                """));
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.organization WHERE status = 'retired'")).ShouldBeGreaterThan(0);
        (await db.ExecuteScalarAsync<long>("SELECT count(DISTINCT code) FROM directory.language")).ShouldBeGreaterThanOrEqualTo(7);
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM directory.schedule")).ShouldBeGreaterThan(1000);
    }

    [Fact]
    public async Task Generator_is_deterministic()
    {
        var now = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        var a = DemoCatalogueGenerator.Generate(DemoCatalogueSeeder.Seed, 50, now);
        var b = DemoCatalogueGenerator.Generate(DemoCatalogueSeeder.Seed, 50, now);
        a.Services.Select(s => (s.Id, s.Name, s.WaitingDays)).ShouldBe(b.Services.Select(s => (s.Id, s.Name, s.WaitingDays)));
        a.Organizations.Select(o => o.Name).ShouldBe(b.Organizations.Select(o => o.Name));
    }

    [Fact]
    public async Task Demo_partners_exist_with_their_referral_addresses()
    {
        var lookup = app.Services.GetRequiredService<IServiceLookup>();
        var debt = await lookup.FindAsync(DemoCatalogue.Services.DebtCounsellingKamenz);
        debt.ShouldNotBeNull();
        debt.OrganizationId.ShouldBe(DemoUsers.Organizations.DebtCounsellingKamenz);
        debt.CategoryCodes.ShouldContain("schuldnerberatung");
        debt.District.ShouldBe("Landkreis Bautzen");
        debt.ReferralEmail.ShouldBe(DemoCatalogue.DebtCounsellingKamenzReferralEmail);
        debt.Status.ShouldBe("active");

        var addiction = await lookup.FindAsync(DemoCatalogue.Services.AddictionCounsellingBautzen);
        addiction!.OrganizationId.ShouldBe(DemoUsers.Organizations.AddictionCounsellingBautzen);
        addiction.CategoryCodes.ShouldContain("suchtberatung");
        addiction.ReferralEmail.ShouldBe(DemoCatalogue.AddictionCounsellingBautzenReferralEmail);

        (await lookup.OrganizationNameAsync(DemoUsers.Organizations.AddictionCounsellingBautzen)).ShouldBe("Suchtberatungs- und Behandlungsstelle Bautzen");
        (await lookup.FindAsync(Guid.NewGuid())).ShouldBeNull();
    }

    [Fact]
    public async Task Ef_model_maps_the_schema()
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DirectoryDbContext>();
        var service = await db.Services
            .Include(s => s.Organization)
            .Include(s => s.Terms).ThenInclude(t => t.TaxonomyTerm)
            .Include(s => s.Locations).ThenInclude(l => l.Location!).ThenInclude(l => l.Accessibility)
            .Include(s => s.Schedules).Include(s => s.Languages).Include(s => s.Contacts).Include(s => s.Phones)
            .Include(s => s.CostOptions).Include(s => s.RequiredDocuments).Include(s => s.ServiceAreas)
            .AsSplitQuery()
            .SingleAsync(s => s.Id == DemoCatalogue.Services.DebtCounsellingKamenz);
        service.Organization!.CooperationAgreement.ShouldBeTrue();
        service.Languages.Select(l => l.Name).ShouldContain("Arabisch");
        service.Locations.Single().Location!.StepFree.ShouldBeTrue();
        service.Locations.Single().Location!.City.ShouldBe("Kamenz");
        service.Schedules.ShouldNotBeEmpty();
        service.RequiredDocuments.ShouldNotBeEmpty();
        (await db.Postcodes.CountAsync()).ShouldBeGreaterThan(20);
        (await db.SearchSynonyms.AnyAsync(s => s.Term == "ASD")).ShouldBeTrue();
    }
}

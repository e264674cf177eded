using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Netzwerk.Directory.Catalogue;

/// <summary>
/// EF Core over schema <c>directory</c>. The schema itself is made by the SQL migrations under
/// <c>Migrations/</c>; this context only maps it. After changing services, organisations or locations call
/// <see cref="SearchIndex.RefreshAsync"/> so the search document follows.
/// </summary>
public sealed class DirectoryDbContext(DbContextOptions<DirectoryDbContext> options) : DbContext(options)
{
    public DbSet<Taxonomy> Taxonomies => Set<Taxonomy>();
    public DbSet<TaxonomyTerm> TaxonomyTerms => Set<TaxonomyTerm>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Location> Locations => Set<Location>();
    public DbSet<Accessibility> Accessibility => Set<Accessibility>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<ServiceTaxonomyTerm> ServiceTaxonomyTerms => Set<ServiceTaxonomyTerm>();
    public DbSet<ServiceAtLocation> ServiceAtLocations => Set<ServiceAtLocation>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<Phone> Phones => Set<Phone>();
    public DbSet<Schedule> Schedules => Set<Schedule>();
    public DbSet<Language> Languages => Set<Language>();
    public DbSet<CostOption> CostOptions => Set<CostOption>();
    public DbSet<RequiredDocument> RequiredDocuments => Set<RequiredDocument>();
    public DbSet<ServiceArea> ServiceAreas => Set<ServiceArea>();
    public DbSet<Postcode> Postcodes => Set<Postcode>();
    public DbSet<SearchSynonym> SearchSynonyms => Set<SearchSynonym>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.HasDefaultSchema("directory");
        b.Entity<Taxonomy>().ToTable("taxonomy").HasMany(t => t.Terms).WithOne(t => t.Taxonomy).HasForeignKey(t => t.TaxonomyId);
        b.Entity<TaxonomyTerm>().ToTable("taxonomy_term");
        b.Entity<Organization>(e =>
        {
            e.ToTable("organization");
            e.HasMany(o => o.Services).WithOne(s => s.Organization).HasForeignKey(s => s.OrganizationId);
            e.HasMany(o => o.Locations).WithOne().HasForeignKey(l => l.OrganizationId);
            e.HasMany(o => o.Contacts).WithOne().HasForeignKey(c => c.OrganizationId);
            e.HasMany(o => o.Phones).WithOne().HasForeignKey(p => p.OrganizationId);
        });
        b.Entity<Location>(e =>
        {
            e.ToTable("location");
            e.Property(l => l.Address1).HasColumnName("address_1");
            e.Property(l => l.Address2).HasColumnName("address_2");
            e.HasMany(l => l.Accessibility).WithOne().HasForeignKey(a => a.LocationId);
        });
        b.Entity<Accessibility>().ToTable("accessibility");
        b.Entity<Service>(e =>
        {
            e.ToTable("service");
            e.HasMany(s => s.Terms).WithOne().HasForeignKey(t => t.ServiceId);
            e.HasMany(s => s.Locations).WithOne().HasForeignKey(l => l.ServiceId);
            e.HasMany(s => s.Contacts).WithOne().HasForeignKey(c => c.ServiceId);
            e.HasMany(s => s.Phones).WithOne().HasForeignKey(p => p.ServiceId);
            e.HasMany(s => s.Schedules).WithOne().HasForeignKey(x => x.ServiceId);
            e.HasMany(s => s.Languages).WithOne().HasForeignKey(x => x.ServiceId);
            e.HasMany(s => s.CostOptions).WithOne().HasForeignKey(x => x.ServiceId);
            e.HasMany(s => s.RequiredDocuments).WithOne().HasForeignKey(x => x.ServiceId);
            e.HasMany(s => s.ServiceAreas).WithOne().HasForeignKey(x => x.ServiceId);
        });
        b.Entity<ServiceTaxonomyTerm>(e =>
        {
            e.ToTable("service_taxonomy_term").HasKey(x => new { x.ServiceId, x.TaxonomyTermId });
            e.HasOne(x => x.TaxonomyTerm).WithMany().HasForeignKey(x => x.TaxonomyTermId);
        });
        b.Entity<ServiceAtLocation>(e =>
        {
            e.ToTable("service_at_location");
            e.HasOne(x => x.Location).WithMany().HasForeignKey(x => x.LocationId);
        });
        b.Entity<Contact>().ToTable("contact");
        b.Entity<Phone>().ToTable("phone");
        b.Entity<Schedule>().ToTable("schedule");
        b.Entity<Language>().ToTable("language");
        b.Entity<CostOption>().ToTable("cost_option");
        b.Entity<RequiredDocument>().ToTable("required_document");
        b.Entity<ServiceArea>().ToTable("service_area");
        b.Entity<Postcode>(e =>
        {
            e.ToTable("postcode").HasKey(p => new { p.Code, p.Town });
            e.Property(p => p.Code).HasColumnName("postcode");
        });
        b.Entity<SearchSynonym>().ToTable("search_synonym");

        // snake_case columns for every property not named explicitly above.
        foreach (var entity in b.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                if (property.GetColumnName() == property.Name)
                    property.SetColumnName(SnakeCase(property.Name));
    }

    private static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}

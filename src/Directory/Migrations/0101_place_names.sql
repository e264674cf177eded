-- Search by place name (issue 17): near=Kamenz looks a town up by its folded name, first in the postcode list,
-- then in the locations' addresses; both lookups need an index on that expression.
CREATE INDEX IF NOT EXISTS postcode_town_fold ON directory.postcode (directory.fold(town));
CREATE INDEX IF NOT EXISTS location_city_fold ON directory.location (directory.fold(city));

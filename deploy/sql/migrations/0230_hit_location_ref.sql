-- Flagged CSE locations (DESIGN §8, issue 17): the location that raised a hit's priority, or NULL.
IF COL_LENGTH(N'dbo.hits', N'location_ref') IS NULL
    ALTER TABLE dbo.hits ADD location_ref NVARCHAR(64) NULL;
GO

-- The review date the imported file gave a marker, where AnprWatch kept a later one (a review recorded here since the
-- export was taken); NULL where the stored date is the file's. A later import compares its file with the previous
-- file's dates, not with dates AnprWatch kept: otherwise the second re-import of an unchanged export undoes the review.
ALTER TABLE markers ADD COLUMN imported_review_due TEXT NULL;

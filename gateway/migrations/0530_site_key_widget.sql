-- A site key's widget settings (fields shown, labels, thank-you message,
-- booking picker) as its admin set them; NULL means the widget's defaults.
-- JSON, so a new setting needs no migration; the gateway validates it with zod
-- on the way in and falls back to the defaults for a value it cannot read.

ALTER TABLE site_keys ADD COLUMN widget jsonb;

-- Written by Gaffer: one table per entity, keyed by the id the service generates.
{{#entities}}
CREATE TABLE IF NOT EXISTS "{{{name}}}" (
    "id" VARCHAR(32) PRIMARY KEY{{#fields}},
    "{{{name}}}" {{{sqlType}}} NOT NULL{{/fields}}
);
{{/entities}}

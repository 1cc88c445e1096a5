{#- Run first (on-run-start): a DuckDB file whose name is not a plain identifier breaks
    dbt-duckdb's source loading with an obscure parser error, so say it plainly. -#}
{% macro aura_check_database_name() -%}
    {%- if target.type == 'duckdb' and not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', target.database) -%}
        {{ exceptions.raise_compiler_error(
            "The DuckDB file name must be letters, digits and underscores (it becomes the "
            ~ "database name), but AURA_DB gives '" ~ target.database ~ "'. Rename it, e.g. "
            ~ modules.re.sub('[^A-Za-z0-9_]', '_', target.database) ~ ".duckdb.") }}
    {%- endif -%}
    select 1
{%- endmacro %}

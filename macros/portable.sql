{#- Engine-specific SQL lives here, behind adapter.dispatch, so models stay portable
    (DuckDB today, Spark through dbt-spark later: add a spark__ body, not new models). -#}

{#- A timestamp with time zone as wall-clock time in the shop's zone (aura_timezone). -#}
{% macro aura_local_timestamp(expr) -%}
    {{ return(adapter.dispatch('aura_local_timestamp', 'aura')(expr)) }}
{%- endmacro %}
{% macro default__aura_local_timestamp(expr) -%}
    from_utc_timestamp({{ expr }}, '{{ var("aura_timezone") }}')
{%- endmacro %}
{% macro duckdb__aura_local_timestamp(expr) -%}
    timezone('{{ var("aura_timezone") }}', {{ expr }})
{%- endmacro %}

{#- Every match of a regular expression replaced (DuckDB replaces only the first match
    without the 'g' option; Spark always replaces all). -#}
{% macro aura_regexp_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('aura_regexp_replace_all', 'aura')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__aura_regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
{% macro duckdb__aura_regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- Only the digits of a string. -#}
{% macro aura_digits_only(expr) -%}
    {{ aura_regexp_replace_all(expr, '[^0-9]', '') }}
{%- endmacro %}

{#- Whether a string matches a regular expression (RE2 / Java syntax common subset). -#}
{% macro aura_regexp_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('aura_regexp_matches', 'aura')(expr, pattern)) }}
{%- endmacro %}
{% macro default__aura_regexp_matches(expr, pattern) -%}
    ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}
{% macro duckdb__aura_regexp_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{#- One value standing for a row's content (the listed columns, NULLs included), used to
    find exact copies without sorting on every column. 64-bit on DuckDB: a collision
    between two different rows of one order is vanishingly unlikely. -#}
{% macro aura_row_hash(columns) -%}
    {{ return(adapter.dispatch('aura_row_hash', 'aura')(columns)) }}
{%- endmacro %}
{% macro default__aura_row_hash(columns) -%}
    md5(concat_ws('|'{% for c in columns %}, coalesce(cast({{ c }} as string), '\\N'){% endfor %}))
{%- endmacro %}
{% macro duckdb__aura_row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{#- An integer as text with comma thousands separators (53592 -> '53,592'); NULL stays NULL. -#}
{% macro aura_thousands_text(expr) -%}
    {{ return(adapter.dispatch('aura_thousands_text', 'aura')(expr)) }}
{%- endmacro %}

{% macro default__aura_thousands_text(expr) -%}
    format_number(cast({{ expr }} as bigint), 0)
{%- endmacro %}

{% macro duckdb__aura_thousands_text(expr) -%}
    format('{:,}', cast({{ expr }} as bigint))
{%- endmacro %}

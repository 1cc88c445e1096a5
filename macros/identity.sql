{#- How customers are identified (DECISIONLOG: "Customer identity"). -#}

{#- An email as an identity: trimmed and lower-cased; empty means none. -#}
{% macro aura_normalize_email(expr) -%}
    nullif(lower(trim({{ expr }})), '')
{%- endmacro %}

{#- A phone as an identity: digits only, a leading US/Canada country code 1 dropped from
    11-digit numbers; fewer than aura_min_phone_digits digits means none. -#}
{% macro aura_normalize_phone(expr) -%}
    case
        when length({{ aura_digits_only(expr) }}) = 11 and {{ aura_digits_only(expr) }} like '1%'
            then substr({{ aura_digits_only(expr) }}, 2)
        when length({{ aura_digits_only(expr) }}) >= {{ var('aura_min_phone_digits') }}
            then {{ aura_digits_only(expr) }}
    end
{%- endmacro %}

{#- The model of the chosen input format (aura_input_format): shopify or canonical. -#}
{% macro aura_input_format() -%}
    {%- set fmt = var('aura_input_format') -%}
    {%- if fmt not in ['shopify', 'canonical'] -%}
        {{ exceptions.raise_compiler_error(
            "aura_input_format is '" ~ fmt ~ "'; it must be 'shopify' or 'canonical'.") }}
    {%- endif -%}
    {{ return(fmt) }}
{%- endmacro %}

{#- A row's place in the input, as text that sorts in file-then-row order, so the first
    of several rows can be found with min() instead of a sorting window. -#}
{% macro aura_row_position(file_column='source_file', row_column='source_row') -%}
    {{ file_column }} || '|' || lpad(cast({{ row_column }} as varchar), 12, '0')
{%- endmacro %}

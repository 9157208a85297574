{#- A custom schema is used as written (`+schema: marts` builds into `marts`), the target's
    schema otherwise: a common override of dbt's default `<target_schema>_<custom>`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

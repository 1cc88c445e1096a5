{#- Settings and definitions of the metrics layer's profile, inventory and data-quality
    marts (mart_store_profile, mart_inventory_health, mart_data_quality_flags,
    mart_decision_state). Thresholds are aura_ vars in dbt_project.yml; the definitions below are argued in
    DECISIONLOG.md ("Store profile", "Data-quality flags"). -#}


{#- The audience windows the engine uses, per store vertical (days since the customer's
    last order; subscription = at least N orders in 90 days). mixed: the union of both
    winback windows (21-50, which contains the supplements 35-50), the beauty dormant
    window (60-120: the supplements one, 45-90, would overlap that winback window) and
    the lower subscription threshold (2: a mixed store's subscribable lines are its
    consumables). -#}
{% macro metrics_audience_windows() -%}
    {{ return({
        'beauty': {'winback_min_days': 21, 'winback_max_days': 45,
                   'dormant_min_days': 60, 'dormant_max_days': 120,
                   'subscription_min_orders': 3},
        'supplements': {'winback_min_days': 35, 'winback_max_days': 50,
                        'dormant_min_days': 45, 'dormant_max_days': 90,
                        'subscription_min_orders': 2},
        'mixed': {'winback_min_days': 21, 'winback_max_days': 50,
                  'dormant_min_days': 60, 'dormant_max_days': 120,
                  'subscription_min_orders': 2},
    }) }}
{%- endmacro %}

{#- Keyword patterns (regular expressions over the lower-cased title, variant, category
    and tags) that mark a product as a supplement or a beauty product. A product counts
    for the side with more distinct patterns matched; a tie (including none) leaves it
    unclassified. -#}
{% macro metrics_vertical_keywords() -%}
    {{ return({
        'supplements': [
            '\\bcapsules?\\b', '\\bcaps\\b', '\\bsoftgels?\\b', '\\bgumm(y|ies)\\b',
            '\\btablets?\\b', '\\bservings?\\b', '\\bvitamins?\\b', '\\bmultivitamins?\\b',
            '\\bmagnesium\\b', '\\bcollagen\\b', '\\bprobiotics?\\b', '\\bprebiotics?\\b',
            '\\bprotein\\b', '\\bomega\\b', '\\bfish oil\\b', '\\bpowder\\b',
            '\\bsupplements?\\b', '\\bzinc\\b', '\\biron\\b', '\\bbiotin\\b',
            '\\bashwagandha\\b', '\\bturmeric\\b', '\\belectrolytes?\\b', '\\bgreens\\b',
            '\\bmelatonin\\b', '\\bcreatine\\b', '\\bsachets?\\b', '\\bpills?\\b',
        ],
        'beauty': [
            '\\bserums?\\b', '\\bcreams?\\b', '\\bmoisturi[sz]ers?\\b', '\\bcleans(er|ers|ing)\\b',
            '\\bspf\\b', '\\bsunscreens?\\b', '\\bmasks?\\b', '\\btoners?\\b', '\\blips?\\b',
            '\\blipsticks?\\b', '\\bmascara\\b', '\\bfragrances?\\b', '\\bperfumes?\\b',
            '\\bparfum\\b', '\\beau de\\b', '\\blotions?\\b', '\\bbalms?\\b',
            '\\bskin ?care\\b', '\\bmake ?up\\b', '\\bfoundation\\b', '\\bconcealer\\b',
            '\\bblush\\b', '\\beyeliner\\b', '\\bshampoo\\b', '\\bconditioner\\b',
            '\\bretinol\\b', '\\bhyaluronic\\b', '\\bniacinamide\\b', '\\bexfoliat',
            '\\bfacial\\b', '[0-9] ?ml\\b', '\\bfl\\.? ?oz\\b',
        ],
    }) }}
{%- endmacro %}

{#- The checks of mart_data_quality_flags, in display order, with their severity. -#}
{% macro metrics_flag_catalog() -%}
    {{ return([
        {'code': 'insufficient_history', 'severity': 'hard'},
        {'code': 'test_order_anomaly', 'severity': 'hard'},
        {'code': 'refund_storm', 'severity': 'hard'},
        {'code': 'bfcm_overlap', 'severity': 'hard'},
        {'code': 'post_promo_window', 'severity': 'soft'},
        {'code': 'repeat_metric_incoherent', 'severity': 'advisory'},
        {'code': 'aov_consistency', 'severity': 'consistency'},
        {'code': 'new_returning_consistency', 'severity': 'consistency'},
        {'code': 'net_sales_method_disagreement', 'severity': 'consistency'},
        {'code': 'inventory_absent', 'severity': 'info'},
        {'code': 'inventory_stale', 'severity': 'info'},
        {'code': 'low_cover_skus', 'severity': 'info'},
        {'code': 'reorder_alerts', 'severity': 'info'},
        {'code': 'peak_season_stockout_risk', 'severity': 'info'},
    ]) }}
{%- endmacro %}

"""Reading shop exports (Shopify, WooCommerce, PrestaShop, generic) into ledger orders."""

// The index of the built-in sample task: synthetic sales reports in the spirit of the paper's example (sales
// records with dates, regions and areas, locations, amounts). Keyword fields list their values so a teacher
// prompt built from this schema can write exact term filters.

import type { IndexSchema } from '../records';
import { BRANDS, CATEGORY_NAMES, CHANNELS, PAYMENT_METHODS, SEGMENTS } from './catalog';
import { AREAS, CITIES, COUNTRIES, REGIONS } from './geography';

const oneOf = (values: string[]): string => `One of: ${values.join(', ')}.`;

export const SAMPLE_SCHEMA: IndexSchema = {
  index: 'sales-reports',
  description:
    'SYNTHETIC sample data. One document per sales order of a fictional retailer that sells electronics, furniture, ' +
    'office supplies, apparel, home and sports goods in five regions. Amounts are in EUR after discount. Dates are UTC.',
  fields: [
    { name: 'order_id', type: 'keyword', description: 'Unique order identifier, e.g. SO-2023-004211.' },
    { name: 'date', type: 'date', description: 'When the order was placed (UTC).' },
    { name: 'region', type: 'keyword', description: `Sales region. ${oneOf(REGIONS)}` },
    { name: 'area', type: 'keyword', description: `Sales area within a region. ${oneOf(AREAS)}` },
    { name: 'country', type: 'keyword', description: `Country of the selling location. ${oneOf(COUNTRIES)}` },
    { name: 'city', type: 'keyword', description: `City of the selling location. ${oneOf(CITIES)}` },
    { name: 'store_name', type: 'text', keywordSubfield: true, description: 'Name of the store or web shop that sold the order.' },
    { name: 'channel', type: 'keyword', description: `Sales channel. ${oneOf(CHANNELS)}` },
    { name: 'product_name', type: 'text', keywordSubfield: true, description: 'Product sold, e.g. Aurora Desk Lamp.' },
    { name: 'product_category', type: 'keyword', description: `Product category. ${oneOf(CATEGORY_NAMES)}` },
    { name: 'brand', type: 'keyword', description: `Product brand. ${oneOf(BRANDS)}` },
    { name: 'customer_id', type: 'keyword', description: 'Identifier of the buying customer.' },
    { name: 'customer_segment', type: 'keyword', description: `Customer segment. ${oneOf(SEGMENTS)}` },
    { name: 'sales_rep', type: 'keyword', description: 'Name of the responsible sales representative.' },
    { name: 'quantity', type: 'integer', description: 'Units sold in the order.' },
    { name: 'unit_price', type: 'double', description: 'List price per unit in EUR.' },
    { name: 'discount', type: 'float', description: 'Discount as a fraction between 0 and 0.5 (0.2 = 20%).' },
    { name: 'amount', type: 'double', description: 'Order total in EUR after discount.' },
    { name: 'payment_method', type: 'keyword', description: `How the order was paid. ${oneOf(PAYMENT_METHODS)}` },
    { name: 'promo_code', type: 'keyword', description: 'Promotion code used; absent when no promotion was used.' },
    { name: 'returned', type: 'boolean', description: 'True when the order was returned.' },
    { name: 'delivered_at', type: 'date', description: 'Delivery date; absent while the order is not delivered.' },
    { name: 'customer_rating', type: 'integer', description: 'Customer rating from 1 to 5; absent when not rated.' },
    { name: 'notes', type: 'text', description: 'Free-text notes from the sales rep or the customer.' },
  ],
};

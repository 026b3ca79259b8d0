// What is sold, how, and to whom in the synthetic sales index.

export const CATEGORIES: Record<string, { brands: string[]; products: string[] }> = {
  Electronics: { brands: ['Voltix', 'Lumina'], products: ['Nimbus Wireless Headphones', 'Pixel 4K Monitor', 'Orbit Smart Speaker', 'Vertex Laptop Stand'] },
  Furniture: { brands: ['Oakline', 'Nordhaus'], products: ['Ergo Mesh Office Chair', 'Atlas Standing Desk', 'Harbor Bookshelf'] },
  'Office Supplies': { brands: ['Quill & Co', 'Papyra'], products: ['Quill Notebook Set', 'Aurora Desk Lamp', 'Metro Paper Shredder'] },
  Apparel: { brands: ['Northpeak', 'Urbanite'], products: ['Harbor Rain Jacket', 'Breeze Running Shoes', 'Summit Fleece Hoodie'] },
  'Home & Kitchen': { brands: ['Cascade', 'Hearth'], products: ['Cascade Espresso Machine', 'Hearth Cast Iron Pan', 'Aero Air Purifier'] },
  'Sports & Outdoors': { brands: ['Trailblaze', 'Northpeak'], products: ['Summit Trail Backpack', 'Ridge Camping Tent', 'Glide Yoga Mat'] },
};

export const CATEGORY_NAMES = Object.keys(CATEGORIES);
export const BRANDS = [...new Set(Object.values(CATEGORIES).flatMap((c) => c.brands))];
export const PRODUCTS = Object.values(CATEGORIES).flatMap((c) => c.products);

export const CHANNELS = ['online', 'retail', 'wholesale', 'partner', 'phone'];
export const SEGMENTS = ['consumer', 'small business', 'enterprise', 'public sector'];
export const PAYMENT_METHODS = ['credit card', 'invoice', 'paypal', 'bank transfer', 'cash'];

/** Phrases that occur in the free-text notes field. */
export const NOTE_TOPICS = [
  'damaged packaging', 'late delivery', 'gift wrapping', 'bulk discount', 'express shipping', 'wrong size',
  'loyalty program', 'invoice correction', 'repeat customer', 'warranty claim', 'price match', 'missing parts',
];

// The plain app (index.html), the React + Vue examples (frameworks.html) and the three-page
// shop of the first-hour proof (shop/, copied in by consumer.test.mjs).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  build: {
    rollupOptions: {
      input: {
        main: 'index.html',
        frameworks: 'frameworks.html',
        // The three-page shop, copied in by the test from tests/e2e/pages/shop/.
        home: 'shop/home.html',
        product: 'shop/product.html',
        cart: 'shop/cart.html',
      },
    },
  },
});

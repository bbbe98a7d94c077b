// Two pages: the plain app (index.html) and the React + Vue examples (frameworks.html).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  build: { rollupOptions: { input: { main: 'index.html', frameworks: 'frameworks.html' } } },
});

(()=>{var D=globalThis,L=D.ShadowRoot&&(D.ShadyCSS===void 0||D.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,z=Symbol(),pt=new WeakMap,E=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==z)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(L&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=pt.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&pt.set(e,t))}return t}toString(){return this.cssText}},ut=o=>new E(typeof o=="string"?o:o+"",void 0,z),K=(o,...t)=>{let e=o.length===1?o[0]:t.reduce((s,i,r)=>s+(n=>{if(n._$cssResult$===!0)return n.cssText;if(typeof n=="number")return n;throw Error("Value passed to 'css' function must be a 'css' function result: "+n+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+o[r+1],o[0]);return new E(e,o,z)},mt=(o,t)=>{if(L)o.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),i=D.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=e.cssText,o.appendChild(s)}},B=L?o=>o:o=>o instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return ut(e)})(o):o;var{is:Bt,defineProperty:jt,getOwnPropertyDescriptor:Yt,getOwnPropertyNames:qt,getOwnPropertySymbols:Wt,getPrototypeOf:Vt}=Object,R=globalThis,ft=R.trustedTypes,Zt=ft?ft.emptyScript:"",Jt=R.reactiveElementPolyfillSupport,k=(o,t)=>o,j={toAttribute(o,t){switch(t){case Boolean:o=o?Zt:null;break;case Object:case Array:o=o==null?o:JSON.stringify(o)}return o},fromAttribute(o,t){let e=o;switch(t){case Boolean:e=o!==null;break;case Number:e=o===null?null:Number(o);break;case Object:case Array:try{e=JSON.parse(o)}catch{e=null}}return e}},yt=(o,t)=>!Bt(o,t),gt={attribute:!0,type:String,converter:j,reflect:!1,useDefault:!1,hasChanged:yt};Symbol.metadata??=Symbol("metadata"),R.litPropertyMetadata??=new WeakMap;var g=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=gt){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(t,s,e);i!==void 0&&jt(this.prototype,t,i)}}static getPropertyDescriptor(t,e,s){let{get:i,set:r}=Yt(this.prototype,t)??{get(){return this[e]},set(n){this[e]=n}};return{get:i,set(n){let c=i?.call(this);r?.call(this,n),this.requestUpdate(t,c,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??gt}static _$Ei(){if(this.hasOwnProperty(k("elementProperties")))return;let t=Vt(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(k("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(k("properties"))){let e=this.properties,s=[...qt(e),...Wt(e)];for(let i of s)this.createProperty(i,e[i])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,i]of e)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let i=this._$Eu(e,s);i!==void 0&&this._$Eh.set(i,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let i of s)e.unshift(B(i))}else t!==void 0&&e.push(B(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return mt(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),i=this.constructor._$Eu(t,s);if(i!==void 0&&s.reflect===!0){let r=(s.converter?.toAttribute!==void 0?s.converter:j).toAttribute(e,s.type);this._$Em=t,r==null?this.removeAttribute(i):this.setAttribute(i,r),this._$Em=null}}_$AK(t,e){let s=this.constructor,i=s._$Eh.get(t);if(i!==void 0&&this._$Em!==i){let r=s.getPropertyOptions(i),n=typeof r.converter=="function"?{fromAttribute:r.converter}:r.converter?.fromAttribute!==void 0?r.converter:j;this._$Em=i;let c=n.fromAttribute(e,r.type);this[i]=c??this._$Ej?.get(i)??c,this._$Em=null}}requestUpdate(t,e,s,i=!1,r){if(t!==void 0){let n=this.constructor;if(i===!1&&(r=this[t]),s??=n.getPropertyOptions(t),!((s.hasChanged??yt)(r,e)||s.useDefault&&s.reflect&&r===this._$Ej?.get(t)&&!this.hasAttribute(n._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:i,wrapped:r},n){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,n??e??this[t]),r!==!0||n!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),i===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,r]of this._$Ep)this[i]=r;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,r]of s){let{wrapped:n}=r,c=this[i];n!==!0||this._$AL.has(i)||c===void 0||this.C(i,void 0,r,c)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};g.elementStyles=[],g.shadowRootOptions={mode:"open"},g[k("elementProperties")]=new Map,g[k("finalized")]=new Map,Jt?.({ReactiveElement:g}),(R.reactiveElementVersions??=[]).push("2.1.2");var G=globalThis,$t=o=>o,I=G.trustedTypes,bt=I?I.createPolicy("lit-html",{createHTML:o=>o}):void 0,xt="$lit$",y=`lit$${Math.random().toFixed(9).slice(2)}$`,Et="?"+y,Gt=`<${Et}>`,v=document,T=()=>v.createComment(""),O=o=>o===null||typeof o!="object"&&typeof o!="function",X=Array.isArray,Xt=o=>X(o)||typeof o?.[Symbol.iterator]=="function",Y=`[ 	
\f\r]`,C=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,_t=/-->/g,vt=/>/g,b=RegExp(`>|${Y}(?:([^\\s"'>=/]+)(${Y}*=${Y}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),At=/'/g,St=/"/g,kt=/^(?:script|style|textarea|title)$/i,Q=o=>(t,...e)=>({_$litType$:o,strings:t,values:e}),u=Q(1),ye=Q(2),$e=Q(3),A=Symbol.for("lit-noChange"),d=Symbol.for("lit-nothing"),wt=new WeakMap,_=v.createTreeWalker(v,129);function Ct(o,t){if(!X(o)||!o.hasOwnProperty("raw"))throw Error("invalid template strings array");return bt!==void 0?bt.createHTML(t):t}var Qt=(o,t)=>{let e=o.length-1,s=[],i,r=t===2?"<svg>":t===3?"<math>":"",n=C;for(let c=0;c<e;c++){let a=o[c],h,p,l=-1,f=0;for(;f<a.length&&(n.lastIndex=f,p=n.exec(a),p!==null);)f=n.lastIndex,n===C?p[1]==="!--"?n=_t:p[1]!==void 0?n=vt:p[2]!==void 0?(kt.test(p[2])&&(i=RegExp("</"+p[2],"g")),n=b):p[3]!==void 0&&(n=b):n===b?p[0]===">"?(n=i??C,l=-1):p[1]===void 0?l=-2:(l=n.lastIndex-p[2].length,h=p[1],n=p[3]===void 0?b:p[3]==='"'?St:At):n===St||n===At?n=b:n===_t||n===vt?n=C:(n=b,i=void 0);let m=n===b&&o[c+1].startsWith("/>")?" ":"";r+=n===C?a+Gt:l>=0?(s.push(h),a.slice(0,l)+xt+a.slice(l)+y+m):a+y+(l===-2?c:m)}return[Ct(o,r+(o[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},U=class o{constructor({strings:t,_$litType$:e},s){let i;this.parts=[];let r=0,n=0,c=t.length-1,a=this.parts,[h,p]=Qt(t,e);if(this.el=o.createElement(h,s),_.currentNode=this.el.content,e===2||e===3){let l=this.el.content.firstChild;l.replaceWith(...l.childNodes)}for(;(i=_.nextNode())!==null&&a.length<c;){if(i.nodeType===1){if(i.hasAttributes())for(let l of i.getAttributeNames())if(l.endsWith(xt)){let f=p[n++],m=i.getAttribute(l).split(y),N=/([.?@])?(.*)/.exec(f);a.push({type:1,index:r,name:N[2],strings:m,ctor:N[1]==="."?W:N[1]==="?"?V:N[1]==="@"?Z:w}),i.removeAttribute(l)}else l.startsWith(y)&&(a.push({type:6,index:r}),i.removeAttribute(l));if(kt.test(i.tagName)){let l=i.textContent.split(y),f=l.length-1;if(f>0){i.textContent=I?I.emptyScript:"";for(let m=0;m<f;m++)i.append(l[m],T()),_.nextNode(),a.push({type:2,index:++r});i.append(l[f],T())}}}else if(i.nodeType===8)if(i.data===Et)a.push({type:2,index:r});else{let l=-1;for(;(l=i.data.indexOf(y,l+1))!==-1;)a.push({type:7,index:r}),l+=y.length-1}r++}}static createElement(t,e){let s=v.createElement("template");return s.innerHTML=t,s}};function S(o,t,e=o,s){if(t===A)return t;let i=s!==void 0?e._$Co?.[s]:e._$Cl,r=O(t)?void 0:t._$litDirective$;return i?.constructor!==r&&(i?._$AO?.(!1),r===void 0?i=void 0:(i=new r(o),i._$AT(o,e,s)),s!==void 0?(e._$Co??=[])[s]=i:e._$Cl=i),i!==void 0&&(t=S(o,i._$AS(o,t.values),i,s)),t}var q=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,i=(t?.creationScope??v).importNode(e,!0);_.currentNode=i;let r=_.nextNode(),n=0,c=0,a=s[0];for(;a!==void 0;){if(n===a.index){let h;a.type===2?h=new P(r,r.nextSibling,this,t):a.type===1?h=new a.ctor(r,a.name,a.strings,this,t):a.type===6&&(h=new J(r,this,t)),this._$AV.push(h),a=s[++c]}n!==a?.index&&(r=_.nextNode(),n++)}return _.currentNode=v,i}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},P=class o{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,i){this.type=2,this._$AH=d,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=S(this,t,e),O(t)?t===d||t==null||t===""?(this._$AH!==d&&this._$AR(),this._$AH=d):t!==this._$AH&&t!==A&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):Xt(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==d&&O(this._$AH)?this._$AA.nextSibling.data=t:this.T(v.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,i=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=U.createElement(Ct(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(e);else{let r=new q(i,this),n=r.u(this.options);r.p(e),this.T(n),this._$AH=r}}_$AC(t){let e=wt.get(t.strings);return e===void 0&&wt.set(t.strings,e=new U(t)),e}k(t){X(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,i=0;for(let r of t)i===e.length?e.push(s=new o(this.O(T()),this.O(T()),this,this.options)):s=e[i],s._$AI(r),i++;i<e.length&&(this._$AR(s&&s._$AB.nextSibling,i),e.length=i)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=$t(t).nextSibling;$t(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},w=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,i,r){this.type=1,this._$AH=d,this._$AN=void 0,this.element=t,this.name=e,this._$AM=i,this.options=r,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=d}_$AI(t,e=this,s,i){let r=this.strings,n=!1;if(r===void 0)t=S(this,t,e,0),n=!O(t)||t!==this._$AH&&t!==A,n&&(this._$AH=t);else{let c=t,a,h;for(t=r[0],a=0;a<r.length-1;a++)h=S(this,c[s+a],e,a),h===A&&(h=this._$AH[a]),n||=!O(h)||h!==this._$AH[a],h===d?t=d:t!==d&&(t+=(h??"")+r[a+1]),this._$AH[a]=h}n&&!i&&this.j(t)}j(t){t===d?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},W=class extends w{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===d?void 0:t}},V=class extends w{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==d)}},Z=class extends w{constructor(t,e,s,i,r){super(t,e,s,i,r),this.type=5}_$AI(t,e=this){if((t=S(this,t,e,0)??d)===A)return;let s=this._$AH,i=t===d&&s!==d||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,r=t!==d&&(s===d||i);i&&this.element.removeEventListener(this.name,this,s),r&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},J=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){S(this,t)}};var te=G.litHtmlPolyfillSupport;te?.(U,P),(G.litHtmlVersions??=[]).push("3.3.3");var Tt=(o,t,e)=>{let s=e?.renderBefore??t,i=s._$litPart$;if(i===void 0){let r=e?.renderBefore??null;s._$litPart$=i=new P(t.insertBefore(T(),r),r,void 0,e??{})}return i._$AI(o),i};var tt=globalThis,$=class extends g{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=Tt(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return A}};$._$litElement$=!0,$.finalized=!0,tt.litElementHydrateSupport?.({LitElement:$});var ee=tt.litElementPolyfillSupport;ee?.({LitElement:$});(tt.litElementVersions??=[]).push("4.2.2");var et=["name","email","phone","company","message"],se={name:"Name",email:"Email",phone:"Phone",company:"Company",message:"How can we help?"},ie="We got your details and will be in touch soon.",st="name,email,phone,message",Ut=5e3;function oe(o){let t=typeof o=="string"?o.split(",").map(s=>s.trim()):o,e=et.filter(s=>t.includes(s));return e.length>0?e:[...et]}function it(o,t=st){let e=o&&typeof o=="object"?o:{},s={...se};if(e.labels&&typeof e.labels=="object")for(let[i,r]of Object.entries(e.labels))et.includes(i)&&typeof r=="string"&&r.trim()&&(s[i]=r.trim());return{fields:oe(e.configured!==!1&&Array.isArray(e.fields)&&e.fields.length>0?e.fields:t),labels:s,thankYou:typeof e.thankYou=="string"&&e.thankYou.trim()?e.thankYou:ie,booking:e.booking===!0}}var Ot=new Map;function Pt(o,t,e=fetch,s=Ut){let i=`${o}/v1/widget/config?site_key=${encodeURIComponent(t)}`,r=Ot.get(i);return r||(r=ot(i,e,s),Ot.set(i,r)),r}async function ot(o,t=fetch,e=Ut){let s=new AbortController,i=setTimeout(()=>s.abort(),e);try{let r=await t(o,{signal:s.signal});return r.ok?await r.json():null}catch{return null}finally{clearTimeout(i)}}var M={minFillMs:2e3,honeypotField:"website"},re=/^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/,rt={name:{min:1,max:200},email:{min:1,max:254},phone:{min:3,max:40},company:{min:1,max:200},message:{min:1,max:5e3}},ne="Give an email or a phone number so we can reach you.";function Nt(o){let t={},e={};for(let i of["name","email","phone","company"]){let r=(o[i]??"").trim();if(r==="")continue;let{min:n,max:c}=rt[i];r.length<n?e[i]=`${Mt(i)} is too short (at least ${n} characters).`:r.length>c?e[i]=`${Mt(i)} is too long (at most ${c}).`:i==="email"&&!re.test(r)?e[i]="Enter an email address such as name@example.com.":t[i]=r}let s=o.message??"";return s.trim()!==""&&(s.length>rt.message.max?e.message=`Message is too long (at most ${rt.message.max} characters).`:t.message=s),!e.email&&!e.phone&&!t.email&&!t.phone&&(e.form=ne),Object.keys(e).length>0?{ok:!1,errors:e}:{ok:!0,fields:t}}function Mt(o){return o==="email"?"Email":o[0].toUpperCase()+o.slice(1)}var nt=7;function Dt(){return Intl.DateTimeFormat().resolvedOptions().timeZone||"UTC"}function Lt(o){let t=o?.slots;return Array.isArray(t)?t.filter(e=>typeof e?.start=="string"&&typeof e?.end=="string"&&!Number.isNaN(Date.parse(e.start))&&!Number.isNaN(Date.parse(e.end))).map(e=>({start:e.start,end:e.end})):[]}function Rt(o,t,e){let s=new Intl.DateTimeFormat("en-CA",{timeZone:t,year:"numeric",month:"2-digit",day:"2-digit"}),i=new Intl.DateTimeFormat(e,{timeZone:t,weekday:"long",month:"long",day:"numeric"}),r=new Intl.DateTimeFormat(e,{timeZone:t,hour:"numeric",minute:"2-digit"}),n=new Map,c=[...o].sort((a,h)=>Date.parse(a.start)-Date.parse(h.start));for(let a of c){let h=new Date(a.start),p=s.format(h),l=n.get(p);l||(l={date:p,label:i.format(h),slots:[]},n.set(p,l));let f=r.format(h);l.slots.push({...a,time:f,full:`${l.label}, ${f}`})}return[...n.values()]}function ae(o,t,e){let s=new Date(o),i=new Intl.DateTimeFormat(e,{timeZone:t,weekday:"long",month:"long",day:"numeric"}).format(s),r=new Intl.DateTimeFormat(e,{timeZone:t,hour:"numeric",minute:"2-digit"}).format(s);return`${i} at ${r} (${t})`}function It(o,t,e,s=!1){return o?o.status==="booked"?`Your call is booked for ${ae(o.start,t,e)}.`:"The time you picked is no longer free, so nothing is booked yet: "+(s?"pick another below.":"we will be in touch to find another."):null}var Ht=K`
  :host {
    display: block;
    max-width: 28rem;
    font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    color: var(--cove-text, #1c1b1f);
    --accent: var(--cove-accent, #0b57d0);
  }
  .card {
    background: var(--cove-background, #fff);
    border: 1px solid #8a8a8f;
    border-radius: 0.5rem;
    padding: 1rem 1.25rem;
  }
  h2 {
    font-size: 1.25rem;
    margin: 0 0 0.75rem;
  }
  .field {
    margin-bottom: 0.75rem;
  }
  label {
    display: block;
    font-weight: 600;
    margin-bottom: 0.25rem;
  }
  input,
  textarea {
    box-sizing: border-box;
    width: 100%;
    font: inherit;
    color: inherit;
    background: #fff;
    border: 1px solid #6b6b70;
    border-radius: 0.375rem;
    padding: 0.5rem 0.625rem;
  }
  input[aria-invalid="true"],
  textarea[aria-invalid="true"] {
    border: 2px solid #b3261e;
  }
  :focus-visible {
    outline: 3px solid var(--accent);
    outline-offset: 2px;
  }
  button {
    font: inherit;
    font-weight: 600;
    color: #fff;
    background: var(--accent);
    border: 0;
    border-radius: 0.375rem;
    padding: 0.625rem 1.25rem;
    min-height: 44px;
    cursor: pointer;
  }
  button[disabled] {
    opacity: 0.7;
    cursor: progress;
  }
  button.link {
    background: none;
    color: var(--accent);
    padding: 0;
    text-decoration: underline;
  }
  .error {
    color: #b3261e;
    margin: 0.25rem 0 0;
    font-size: 0.9375rem;
  }
  .notice {
    margin: 0.5rem 0 0;
    min-height: 1.5em;
  }
  fieldset {
    border: 1px solid #8a8a8f;
    border-radius: 0.375rem;
    margin: 0 0 0.75rem;
    padding: 0.5rem 0.75rem 0.75rem;
  }
  legend {
    font-weight: 600;
    padding: 0 0.25rem;
  }
  h3 {
    font-size: 1rem;
    margin: 0.75rem 0 0.25rem;
  }
  .hint {
    margin: 0 0 0.5rem;
    font-size: 0.9375rem;
    color: #4a4a4f;
  }
  /* A week of times stays a box the page scrolls past; arrow keys scroll it along. */
  .days {
    max-height: 22rem;
    overflow-y: auto;
  }
  .times {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem;
  }
  label.choice {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    font-weight: 400;
    min-height: 44px;
    margin: 0;
  }
  label.time {
    min-width: 6.5rem;
    box-sizing: border-box;
    border: 1px solid #6b6b70;
    border-radius: 0.375rem;
    padding: 0 0.625rem;
  }
  label.time:has(:checked) {
    border: 2px solid var(--accent);
    font-weight: 600;
  }
  input[type="radio"] {
    width: auto;
    margin: 0;
    accent-color: var(--accent);
  }
  .trap {
    position: absolute;
    left: -10000px;
    width: 1px;
    height: 1px;
    overflow: hidden;
  }
  [hidden] {
    display: none !important;
  }
`;var le={name:"name",email:"email",phone:"tel",company:"organization"},at,lt=new Set;function Ft(o){at=o}function zt(o,t){for(let e of lt)e(o,t)}var H=class extends ${static properties={siteKey:{type:String,attribute:"site-key"},endpoint:{type:String},heading:{type:String},fields:{type:String},state:{state:!0},errors:{state:!0},notice:{state:!0},slots:{state:!0},booking:{state:!0},rebookError:{state:!0}};static styles=Ht;#t=it(null);#s=Dt();#e=performance.now();#i=crypto.randomUUID();#o;#r=(t,e)=>{t.body.idempotencyKey===this.#i&&(e.state==="accepted"?this.#$(e.booking):e.state==="refused"&&this.#b(e.message))};constructor(){super(),this.siteKey="",this.endpoint="",this.heading="Get in touch",this.fields=st,this.state="loading",this.errors={},this.notice="",this.slots={state:"loading"},this.booking=void 0,this.rebookError=""}connectedCallback(){super.connectedCallback(),lt.add(this.#r),this.state==="loading"&&this.#a()}#n(){return(this.endpoint||location.origin).replace(/\/+$/,"")}async#a(){let t=await Pt(this.#n(),this.siteKey);this.#t=it(t,this.fields),this.#t.booking&&this.#l(),this.state="editing",this.#e=performance.now()}async#l(){this.slots={state:"loading"};let t=await ot(`${this.#n()}/v1/widget/slots?site_key=${encodeURIComponent(this.siteKey)}&days=${7}`);this.slots=t===null?{state:"error"}:{state:"ok",days:Rt(Lt(t),this.#s)}}disconnectedCallback(){lt.delete(this.#r),super.disconnectedCallback()}updated(t){t.has("state")&&this.state==="done"&&t.get("state")!=="done"&&this.renderRoot.querySelector(".thanks")?.focus()}render(){let t=this.#t;if(this.state==="loading")return u`
        <div class="card" aria-busy="true">
          <h2>${this.heading}</h2>
          <p>Loading the form...</p>
        </div>
      `;if(this.state==="done"||this.state==="rebooking"){let s=this.slots,i=this.booking?.status==="unavailable"&&this.#t.booking,r=i&&s.state==="ok"&&s.days.length>0?s.days:null,n=i&&s.state==="loading"?"The time you picked is no longer free. Looking for other free times...":It(this.booking,this.#s,void 0,r!==null);return u`<div class="card thanks" tabindex="-1">
        <div role="status"><h2>Thank you!</h2><p>${t.thankYou}</p>
        ${n?u`<p class="meeting">${n}</p>`:d}</div>
        ${r?this.#u(r):d}
        <button type="button" class="link" @click=${this.#_}>Send another</button></div>`}let e=this.state==="sending";return u`<form class="card" novalidate @submit=${this.#g} aria-busy=${e}>
      <h2>${this.heading}</h2>
      ${t.fields.map(s=>this.#m(s))}
      ${t.booking?this.#p():d}
      <div class="trap" aria-hidden="true">
        <label for="f-trap">Leave this empty</label>
        <input id="f-trap" name=${M.honeypotField} tabindex="-1" autocomplete="off">
      </div>
      <p id="f-form-error" class="error" ?hidden=${!this.errors.form}>${this.errors.form??""}</p>
      <button type="submit" ?disabled=${e}>${e?"Sending...":"Send"}</button>
      <p class="notice" role="status" aria-live="polite">${this.notice}</p>
    </form>`}#p(){let t=this.slots,e=t.state==="loading"?u`<p>Loading free times...</p>`:t.state==="error"?u`<p>Free times could not be loaded. Send your details and we will get back to you.</p>`:t.days.length===0?u`<p>No free times in the next ${7} days. Send your details and we will get
        back to you.</p>`:u`
        <label class="choice"><input type="radio" name="slot" value="" checked>
                  No call for now</label>
        ${this.#c(t.days)}
      `;return this.#h("Book a call (optional)",e)}#h(t,e){return u`<fieldset class="slots" aria-describedby="f-zone">
      <legend>${t}</legend>
      <p id="f-zone" class="hint">Times are in your time zone, ${this.#s}.</p>
      ${e}
    </fieldset>`}#c(t){return u`<div class="days">${t.map(e=>u`
          <div role="group" aria-labelledby="d-${e.date}">
            <h3 id="d-${e.date}">${e.label}</h3>
            <div class="times">${e.slots.map(s=>u`<label class="choice time"><input type="radio" name="slot"
              value=${`${s.start}/${s.end}`} aria-label=${s.full}>${s.time}</label>`)}</div>
          </div>
        `)}</div>`}#u(t){let e=this.state==="rebooking",s=this.rebookError;return u`<form novalidate @submit=${this.#y} aria-busy=${e}>
      ${this.#h("Pick another time",this.#c(t))}
      <p class="error" role="alert">${s}</p>
      <button type="submit" ?disabled=${e}>${e?"Booking...":"Book this time"}</button>
    </form>`}#m(t){let e=this.errors[t],s=`f-${t}`,i=[e?`${s}-error`:"",this.errors.form?"f-form-error":""].filter(Boolean).join(" "),r={id:s,invalid:e?"true":"false",describedBy:i||d};return u`<div class="field">
      <label for=${s}>${this.#t.labels[t]}</label>
      ${t==="message"?u`
          <textarea id=${r.id} name=${t} rows="3" aria-invalid=${r.invalid}
            aria-describedby=${r.describedBy}></textarea>
        `:u`
          <input id=${r.id} name=${t} type=${t==="email"?"email":t==="phone"?"tel":"text"} autocomplete=${le[t]}
            aria-invalid=${r.invalid}
            aria-describedby=${r.describedBy}>
        `}
      ${e?u`<p id="${s}-error" class="error">${e}</p>`:d}
    </div>`}#f(t){let e=new FormData(t),s=i=>{let r=e.get(i);return typeof r=="string"?r:void 0};return{name:s("name"),email:s("email"),phone:s("phone"),company:s("company"),message:s("message"),trap:s(M.honeypotField)??"",slot:s("slot")??""}}async#g(t){if(t.preventDefault(),this.state==="sending")return;let e=t.currentTarget,s=this.#f(e),i=Nt(s);if(!i.ok){let h=this.#t.fields.filter(m=>m==="email"||m==="phone");i.errors.form&&h.length===1&&(i.errors.form=`Give ${h[0]==="email"?"an email":"a phone number"} so we can reach you.`),this.errors=i.errors;let p=Object.keys(i.errors).length;this.notice=`${p===1?"One field needs":`${p} fields need`} attention: `+Object.values(i.errors).join(" "),await this.updateComplete;let l=this.#t.fields,f=l.find(m=>i.errors[m])??(i.errors.form?l.find(m=>m==="email"||m==="phone"):void 0);this.renderRoot.querySelector(`#f-${f}`)?.focus();return}this.errors={},this.state="sending",this.notice="Sending...";let r=M.minFillMs+50-(performance.now()-this.#e);r>0&&await new Promise(h=>setTimeout(h,r));let[n,c]=s.slot.split("/"),a={idempotencyKey:this.#i,...i.fields,...he(),elapsedMs:Math.round(performance.now()-this.#e),...s.trap?{[M.honeypotField]:s.trap}:{},...n&&c?{slot:{start:n,end:c},timeZone:this.#s}:{}};await this.#d(a)==="retry"&&(this.state="queued",this.notice="You seem to be offline. Your details are saved on this device and will be sent as soon as the connection is back.")}async#d(t){this.#o=t;let e=`${this.#n()}/v1/widget/leads`;if(!at)throw new Error("cove-lead-form: widget entry not loaded");return(await at().submit({endpoint:e,siteKey:this.siteKey,body:t})).state}async#y(t){if(t.preventDefault(),this.state==="rebooking"||!this.#o)return;let e=t.currentTarget,[s,i]=String(new FormData(e).get("slot")??"").split("/");if(!s||!i){this.rebookError="Pick a time first.",e.querySelector("input[name=slot]")?.focus();return}this.rebookError="",this.state="rebooking",this.#i=crypto.randomUUID();let r={...this.#o,idempotencyKey:this.#i,elapsedMs:Math.round(performance.now()-this.#e),slot:{start:s,end:i},timeZone:this.#s};await this.#d(r)==="retry"&&(this.rebookError="You seem to be offline. Your choice is saved on this device and will be sent as soon as the connection is back.")}#$(t){this.booking=t,this.rebookError="",this.state="done",this.notice="",t?.status==="unavailable"&&this.#t.booking&&this.#l()}#b(t){if(this.state==="rebooking"){this.state="done",this.rebookError=`We could not book this: ${t}`;return}this.state="editing",this.errors={form:`We could not send this: ${t}`},this.notice=this.errors.form}#_(){this.#i=crypto.randomUUID(),this.#e=performance.now(),this.booking=void 0,this.state="editing",this.#t.booking&&this.#l()}};function he(){let o={},t=location.href;/^https?:/.test(t)&&t.length<=2e3&&(o.pageUrl=t),document.referrer&&document.referrer.length<=2e3&&(o.referrer=document.referrer);let e=new URLSearchParams(location.search);for(let s of["source","medium","campaign","term","content"]){let i=e.get(`utm_${s}`)?.trim();i&&(o[`utm_${s}`]=i.slice(0,200))}return o}var ht="cove.widget.pending",Ke=6e4;function ce(o,t=Math.random){let e=Math.min(6e4,1e3*2**Math.max(0,o-1));return Math.round(e*(.75+t()*.5))}async function de(o,t=fetch){let e=new URL(o.endpoint);e.searchParams.set("site_key",o.siteKey);let s;try{s=await t(e.href,{method:"POST",headers:{"content-type":"application/json","x-site-key":o.siteKey},body:JSON.stringify(o.body)})}catch(r){return{state:"retry",reason:`network: ${r instanceof Error?r.message:r}`}}let i={};try{i=await s.json()}catch{}if(s.ok){let r=i.booking?.status?{booking:i.booking}:{};return{state:"accepted",leadId:i.leadId??null,...r}}if(s.status>=500||s.status===408||s.status===429){let r=Number(s.headers.get("retry-after"));return{state:"retry",reason:`HTTP ${s.status}`,...r>0?{retryAfterMs:r*1e3}:{}}}return{state:"refused",status:s.status,message:i.error?.message??`HTTP ${s.status}`}}var F=class{#t;#s=new Set;#e=new Set;constructor(t){this.#t=t}pending(){try{let t=this.#t.storage.getItem(ht),e=t?JSON.parse(t):[];return Array.isArray(e)?e:[]}catch{return[]}}submit(t){let e={...t,attempts:0};return this.#a([...this.pending().filter(s=>s.body.idempotencyKey!==t.body.idempotencyKey),e]),this.#i(e)}resume(){return Promise.all(this.pending().map(t=>this.#i(t)))}async#i(t){let e=t.body.idempotencyKey;if(this.#s.has(e))return{state:"retry",reason:"already being posted"};this.#s.add(e),this.#e.delete(e);let s;try{s=await de(t,this.#t.fetch??fetch)}finally{this.#s.delete(e)}if(s.state==="retry"){let i=(this.#r(e)?.attempts??t.attempts)+1,r={...t,attempts:i};this.#n(e,r),this.#o(r,s.retryAfterMs??ce(i,this.#t.random))}else this.#a(this.pending().filter(i=>i.body.idempotencyKey!==e));return this.#t.onOutcome?.(t,s),s}#o(t,e){let s=t.body.idempotencyKey;if(this.#e.has(s))return;this.#e.add(s),(this.#t.schedule??((r,n)=>setTimeout(n,r)))(e,()=>{if(!this.#e.has(s))return;this.#e.delete(s);let r=this.#r(s);r&&this.#i(r)})}#r(t){return this.pending().find(e=>e.body.idempotencyKey===t)}#n(t,e){let s=this.pending(),i=s.findIndex(r=>r.body.idempotencyKey===t);i<0||(s[i]=e,this.#a(s))}#a(t){try{t.length===0?this.#t.storage.removeItem(ht):this.#t.storage.setItem(ht,JSON.stringify(t))}catch{}}};var x=document.currentScript,Kt=x?.src?new URL(x.src).origin:location.origin;function pe(){try{let o="cove.widget.probe";return localStorage.setItem(o,"1"),localStorage.removeItem(o),localStorage}catch{let o=new Map;return{getItem:t=>o.get(t)??null,setItem:(t,e)=>void o.set(t,e),removeItem:t=>void o.delete(t)}}}var dt=new F({storage:pe(),onOutcome:zt});Ft(()=>dt);var ct=class extends H{connectedCallback(){this.endpoint||(this.endpoint=Kt),super.connectedCallback()}};customElements.get("cove-lead-form")||customElements.define("cove-lead-form",ct);if(x?.dataset.siteKey){let o=document.createElement("cove-lead-form");o.setAttribute("site-key",x.dataset.siteKey),o.setAttribute("endpoint",Kt);for(let t of["fields","heading"]){let e=x.getAttribute(`data-${t}`);e&&o.setAttribute(t,e)}x.after(o)}dt.resume();addEventListener("online",()=>void dt.resume());})();
/**
 * @license
 * Copyright 2019 Google LLC
 * SPDX-License-Identifier: BSD-3-Clause
 */
/**
 * @license
 * Copyright 2017 Google LLC
 * SPDX-License-Identifier: BSD-3-Clause
 */
/**
 * @license
 * Copyright 2022 Google LLC
 * SPDX-License-Identifier: BSD-3-Clause
 */
